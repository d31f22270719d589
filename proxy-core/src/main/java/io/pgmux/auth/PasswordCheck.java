package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks a cleartext password (AuthenticationCleartextPassword) against the configured one. */
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
}
