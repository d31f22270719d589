package io.pgmux.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One database clients can ask for, and the server database it maps to.
 *
 * @param name           the name clients put in their connection string (the key under {@code databases})
 * @param dbname         the database name on the server; defaults to {@code name}
 * @param maxConnections cap on server connections to this database across all users; 0 means no cap
 * @param poolMode       overrides the global pool mode for this database; a user's own setting still wins
 * @param user           when set, server connections log in as this user instead of the client's (like
 *                       PgBouncer's {@code user=} in {@code [databases]}), unless the client's user sets its own
 *                       {@code server_user} or {@code server_password}; see {@link PgmuxConfig#upstreamLoginFor}
 * @param password       the password for {@code user}
 * @param pinning        overrides the global pinning policy for this database; a user's own setting still wins
 * @param authType       overrides the global {@code auth_type} for this database; a user's own setting still wins
 * @param serverTls      TLS towards this server: the database's {@code server_tls_*} keys, the global ones for the
 *                       keys it leaves out
 * @param authQuery      how to look up users that are not in {@code users}; empty when no {@code auth_user} applies
 *                       to this database
 */
public record DatabaseConfig(String name, String host, int port, String dbname, int maxConnections,
                             Optional<PoolMode> poolMode, Optional<String> user, Optional<String> password,
                             Optional<PinningPolicy> pinning, Optional<AuthType> authType, ServerTlsConfig serverTls,
                             Optional<AuthQueryConfig> authQuery) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5432;

    public DatabaseConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbname, "dbname");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(pinning, "pinning");
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(serverTls, "serverTls");
        Objects.requireNonNull(authQuery, "authQuery");
    }
}
