package io.pgmux.client;

import io.pgmux.auth.MockCredentials;
import io.pgmux.auth.ScramSecret;
import io.pgmux.config.AuthType;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.UserConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks the passwords of pgmux's clients against the configured users, with the method auth_type names. SCRAM
 * secrets are derived once at start, so no login pays for the key derivation on an event loop.
 *
 * <p>Every login gets the same exchange, whether or not its user exists or has a password: those that do not
 * are checked against {@link MockCredentials} and fail at the end, with the error a wrong password gets, as in
 * PostgreSQL. The response to a login therefore tells nobody which users exist.
 */
final class ClientAuthenticator {
    private final PgmuxConfig config;
    private final AuthType type;
    private final Map<String, ScramSecret> scramSecrets = new HashMap<>();
    private final MockCredentials mock = new MockCredentials();

    ClientAuthenticator(PgmuxConfig config) {
        this.config = config;
        this.type = config.authType();
        if (type == AuthType.SCRAM_SHA_256) {
            for (UserConfig each : config.users().values()) {
                each.password().ifPresent(p -> scramSecrets.put(each.name(), ScramSecret.looksLikeSecret(p)
                        ? ScramSecret.parse(p) : ScramSecret.fromPassword(p)));
            }
        }
    }

    AuthType type() {
        return type;
    }

    /** The exchange for a client that named {@code user} in its StartupMessage, known or not. */
    PasswordExchange begin(String user) {
        String password = config.user(user).flatMap(UserConfig::password).orElse(null);
        if (password == null) {
            // Only what this method checks against: deriving costs a few HMACs, no more than a real login's work.
            return type == AuthType.SCRAM_SHA_256
                    ? new PasswordExchange(type, user, null, mock.scramSecret(user), true)
                    : new PasswordExchange(type, user, mock.password(user), null, true);
        }
        return new PasswordExchange(type, user, password, scramSecrets.get(user), false);
    }
}
