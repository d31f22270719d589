package io.pgmux.auth;

import io.pgmux.config.StoredPassword;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What a server stores to verify SCRAM-SHA-256 logins without keeping the password: iteration count, salt,
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key").
 *
 * <p>The text form is PostgreSQL's ({@code pg_authid.rolpassword}):
 * {@code SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>}, so secrets can be copied
 * between PostgreSQL and pgmux's configuration. It is still a credential (anyone holding it can pose as the
 * server, and it allows an offline guessing attack), so do not log it.
 *
 * <p>Immutable; accessors return copies.
 */
public final class ScramSecret {
    /** PostgreSQL's default {@code scram_iterations}. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** PostgreSQL's salt length. */
    public static final int DEFAULT_SALT_LENGTH = 16;

    private static final String PREFIX = "SCRAM-SHA-256$";

    private final int iterations;
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;

    private ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        this.iterations = iterations;
        this.salt = salt;
        this.storedKey = storedKey;
        this.serverKey = serverKey;
    }

    /** Derives the secret PostgreSQL would store for {@code password} with this salt and iteration count. */
    public static ScramSecret fromPassword(String password, byte[] salt, int iterations) {
        if (salt.length == 0) {
            throw new IllegalArgumentException("SCRAM salt must not be empty");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("SCRAM iteration count must be positive, got " + iterations);
        }
        byte[] saltedPassword = ScramFunctions.saltedPassword(password, salt, iterations);
        byte[] storedKey = ScramFunctions.sha256(ScramFunctions.hmac(saltedPassword, "Client Key"));
        byte[] serverKey = ScramFunctions.hmac(saltedPassword, "Server Key");
        Arrays.fill(saltedPassword, (byte) 0);
        return new ScramSecret(iterations, salt.clone(), storedKey, serverKey);
    }

    /** A secret from its parts, for the mock secrets of {@link MockCredentials}. */
    static ScramSecret of(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        return new ScramSecret(iterations, salt.clone(), storedKey.clone(), serverKey.clone());
    }

    /**
     * A secret with a fresh random salt and PostgreSQL's defaults, for a plaintext password from configuration.
     * Costs one PBKDF2 run, so derive it once per password, not per login.
     */
    public static ScramSecret fromPassword(String password) {
        byte[] salt = new byte[DEFAULT_SALT_LENGTH];
        new SecureRandom().nextBytes(salt);
        return fromPassword(password, salt, DEFAULT_ITERATIONS);
    }

    /**
     * Whether {@code text} claims to be a SCRAM secret rather than a plaintext password; the same test PostgreSQL
     * and PgBouncer use to tell them apart. A text that passes may still fail {@link #parse}.
     */
    public static boolean looksLikeSecret(String text) {
        return text.startsWith(PREFIX);
    }

    /**
     * Parses PostgreSQL's text form (the grammar lives in {@link StoredPassword.ScramSha256#parse}, which checks
     * the configuration file with it too).
     *
     * @throws IllegalArgumentException if it is not well formed; the message never repeats the input, which may
     *     be a password that was mistaken for a secret
     */
    public static ScramSecret parse(String text) {
        return fromVerifier(StoredPassword.ScramSha256.parse(text));
    }

    /**
     * The secret a verifier from the configuration or from auth_query describes. No key derivation: a server-side
     * exchange runs on the verifier alone, so this is cheap enough for any thread.
     */
    public static ScramSecret fromVerifier(StoredPassword.ScramSha256 verifier) {
        return new ScramSecret(verifier.iterations(), verifier.salt(), verifier.storedKey(), verifier.serverKey());
    }

    /** The verifier form, as the configuration model holds it. */
    public StoredPassword.ScramSha256 toVerifier() {
        return new StoredPassword.ScramSha256(iterations, salt, storedKey, serverKey);
    }

    /**
     * Whether {@code password} is the one this secret was made from: what PostgreSQL checks when the
     * {@code password} method meets a SCRAM verifier. Both keys are compared, in constant time.
     *
     * <p>Costs one PBKDF2 run of {@link #iterations()} rounds (milliseconds at 4096): run it off the event loop.
     */
    public boolean matchesPassword(String password) {
        if (password.isEmpty()) {
            return false;
        }
        ScramSecret candidate = fromPassword(password, salt, iterations);
        return MessageDigest.isEqual(candidate.storedKey, storedKey)
                & MessageDigest.isEqual(candidate.serverKey, serverKey);
    }

    public int iterations() {
        return iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** PostgreSQL's text form; {@link #parse} reads it back. */
    @Override
    public String toString() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScramSecret other)) {
            return false;
        }
        return iterations == other.iterations && Arrays.equals(salt, other.salt)
                && Arrays.equals(storedKey, other.storedKey) && Arrays.equals(serverKey, other.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(storedKey) + iterations;
    }
}
