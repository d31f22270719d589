package io.pgmux.client;

import io.pgmux.auth.ScramSecret;
import io.pgmux.config.StoredPassword;

/**
 * The SCRAM secret of a plaintext password from the configuration, derived once: a PBKDF2 run of PostgreSQL's 4096
 * iterations, about 5 ms on a JVM that has just started, that neither the start (200 users would hold the listener
 * back a second) nor an event loop should wait for. It is derived by the pass {@link ClientAuthenticator#deriveAll}
 * makes on a {@link LoginWork} thread once pgmux listens, or earlier by the first login that needs it, on a login-work
 * thread too; whichever comes first derives, the other waits for it.
 */
final class DerivedSecret {
    private final StoredPassword.Plaintext password;
    private volatile ScramSecret secret;

    DerivedSecret(StoredPassword.Plaintext password) {
        this.password = password;
    }

    /** Whether this is the secret of {@code stored}: a reload keeps it for a password that did not change. */
    boolean isFor(StoredPassword stored) {
        return password.equals(stored);
    }

    /** Whether the secret is there: only then may an event loop use it. */
    boolean isDerived() {
        return secret != null;
    }

    /** The secret; derives it on the calling thread the first time, so never call it on an event loop before then. */
    ScramSecret get() {
        ScramSecret known = secret;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (secret == null) {
                secret = ScramSecret.fromPassword(password.password());
            }
            return secret;
        }
    }
}
