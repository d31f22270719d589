package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Stand-in credentials for a login that is bound to fail: a user that does not exist, or has no password. As
 * PostgreSQL does (auth-scram.c: mock_scram_secret, scram_mock_salt), such a client gets the same exchange as
 * any other and learns only at its end that it failed, so nobody can tell which users exist.
 *
 * <p>Everything is derived from a secret of this pgmux process and the user name with HMAC-SHA-256: the same
 * name gets the same SCRAM salt every time, as a real user does, and a different name a different salt.
 * Nothing here runs PBKDF2, so it is cheap enough for an event loop, and checking a proof against a mock secret
 * costs what it costs against a real one. Thread-safe; immutable.
 */
public final class MockCredentials {
    private static final int SECRET_LENGTH = 32;

    private final byte[] serverSecret;

    /** Credentials derived from a fresh random secret, which lives as long as this object. */
    public MockCredentials() {
        this(randomSecret());
    }

    /** Credentials derived from {@code serverSecret}; for tests that need them to be reproducible. */
    MockCredentials(byte[] serverSecret) {
        this.serverSecret = serverSecret.clone();
    }

    /**
     * A SCRAM-SHA-256 secret for {@code user} with a salt of PostgreSQL's length, stable per name, and
     * PostgreSQL's default iteration count (pgmux derives real secrets from passwords with it too). No password
     * matches its keys.
     */
    public ScramSecret scramSecret(String user) {
        byte[] salt = Arrays.copyOf(derive("salt", user), ScramSecret.DEFAULT_SALT_LENGTH);
        return ScramSecret.of(ScramSecret.DEFAULT_ITERATIONS, salt, derive("stored key", user),
                derive("server key", user));
    }

    /** A password for {@code user} that no client knows, to check cleartext and MD5 answers against. */
    public String password(String user) {
        return Base64.getEncoder().withoutPadding().encodeToString(derive("password", user));
    }

    private byte[] derive(String purpose, String user) {
        return ScramFunctions.hmac(serverSecret, (purpose + "\0" + user).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomSecret() {
        byte[] secret = new byte[SECRET_LENGTH];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
