package io.pgmux.cli;

import io.pgmux.config.AuthType;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.SslMode;
import io.pgmux.config.UserConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings this version of pgmux reads and validates but does not apply yet: the login path, the TLS handlers and
 * the server login still behave as without them. Running with one would let an operator believe connections are
 * encrypted, verified or restricted when they are not, so {@code run} refuses to start and {@code check-config}
 * warns. Each entry goes away when its setting is applied.
 */
final class UnappliedSettings {
    private UnappliedSettings() {
    }

    /** One line per setting in {@code config} that is not applied yet; empty when there is none. */
    static List<String> in(PgmuxConfig config) {
        List<String> found = new ArrayList<>();
        if (config.clientTls().sslmode() != SslMode.DISABLE) {
            found.add("client_tls_sslmode " + config.clientTls().sslmode().configName()
                    + " (clients are answered without TLS)");
        }
        if (config.serverTls().sslmode().requiresTls()) {
            found.add("server_tls_sslmode " + config.serverTls().sslmode().configName()
                    + " (server connections do not use TLS)");
        }
        for (DatabaseConfig db : config.databases().values()) {
            if (db.serverTls().sslmode().requiresTls() && !db.serverTls().equals(config.serverTls())) {
                found.add("databases." + db.name() + ".server_tls_sslmode " + db.serverTls().sslmode().configName()
                        + " (server connections do not use TLS)");
            }
            db.authType().ifPresent(type -> found.add("databases." + db.name() + ".auth_type (only the global"
                    + " auth_type is applied)"));
            db.authQuery().filter(q -> config.authQuery().isEmpty())
                    .ifPresent(q -> found.add("databases." + db.name() + ".auth_user (auth_query is not run)"));
        }
        config.hba().ifPresent(rules -> found.add("hba / hba_file (the access rules are not checked)"));
        if (config.authType() == AuthType.REJECT || config.authType() == AuthType.CERT) {
            found.add("auth_type " + config.authType().configName());
        }
        config.authQuery().ifPresent(q -> found.add("auth_user (auth_query is not run)"));
        for (UserConfig user : config.users().values()) {
            user.authType().ifPresent(type -> found.add("users " + user.name() + ": auth_type (only the global"
                    + " auth_type is applied)"));
            if (user.serverUser().isPresent() || user.serverPassword().isPresent()) {
                found.add("users " + user.name() + ": server_user / server_password (the server login uses the"
                        + " client's name and password)");
            }
        }
        return found;
    }
}
