package io.pgmux.auth;

import io.pgmux.config.StoredPassword;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks a cleartext password (AuthenticationCleartextPassword) against the configured or fetched one. */
public final class PasswordCheck {
    private PasswordCheck() {
    }

    /**
     * Whether {@code clientResponse}, the PasswordMessage content without its trailing NUL, equals
     * {@code configuredPassword} in UTF-8.
     *
     * <p>Both sides are hashed with SHA-256 before a constant-time comparison: {@code MessageDigest.isEqual}
     * alone takes time proportional to one argument's length, which would leak the configured password's
     * length; comparing fixed-size digests leaks neither length nor content.
     */
    public static boolean matches(String configuredPassword, byte[] clientResponse) {
        byte[] expected = ScramFunctions.sha256(configuredPassword.getBytes(StandardCharsets.UTF_8));
        byte[] actual = ScramFunctions.sha256(clientResponse);
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * Whether a cleartext password (the {@code password} method) matches a stored password of any form, as
     * PostgreSQL checks it: equal to a plaintext one; hashed with the user name, equal to an md5 one; or, for a
     * SCRAM verifier, deriving the same StoredKey and ServerKey. Constant-time in every case.
     *
     * <p>A SCRAM verifier costs one PBKDF2 run (milliseconds): call this off the event loop.
     */
    public static boolean matches(StoredPassword stored, String user, String cleartext) {
        switch (stored.kind()) {
            case PLAINTEXT:
                return matches(((StoredPassword.Plaintext) stored).password(),
                        cleartext.getBytes(StandardCharsets.UTF_8));
            case MD5:
                byte[] expected = ((StoredPassword.Md5) stored).hash().getBytes(StandardCharsets.US_ASCII);
                byte[] actual = Md5Password.hash(user, cleartext).hash().getBytes(StandardCharsets.US_ASCII);
                return MessageDigest.isEqual(expected, actual);
            case SCRAM_SHA_256:
                return ScramSecret.fromVerifier((StoredPassword.ScramSha256) stored).matchesPassword(cleartext);
            default:
                throw new IllegalStateException("unknown password form " + stored.kind());
        }
    }
}
