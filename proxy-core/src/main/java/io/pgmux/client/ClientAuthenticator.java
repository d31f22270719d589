package io.pgmux.client;

import io.pgmux.auth.ScramSecret;
import io.pgmux.config.AuthType;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.UserConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks the passwords of pgmux's clients against the configured users, with the method auth_type names. SCRAM
 * secrets are derived once at start, so no login pays for the key derivation on an event loop.
 */
final class ClientAuthenticator {
    private final AuthType type;
    private final Map<String, ScramSecret> scramSecrets = new HashMap<>();

    ClientAuthenticator(PgmuxConfig config) {
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

    PasswordExchange begin(UserConfig user) {
        return new PasswordExchange(type, user, scramSecrets.get(user.name()));
    }
}
