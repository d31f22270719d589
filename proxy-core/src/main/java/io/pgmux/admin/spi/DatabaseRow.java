package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One configured database: a row of SHOW DATABASES (PgBouncer's columns).
 *
 * @param database                 the database name on the server
 * @param forceUser                the user every server connection logs in as; null when the client's own
 * @param serverLifetimeSeconds    server_lifetime, in seconds
 * @param poolMode                 the database's own pool_mode; null when it inherits the global one
 * @param loadBalanceHosts         null for a single-host database
 * @param maxConnections           cap on server connections to it; 0 for none
 * @param currentConnections       server connections open to it now
 * @param maxClientConnections     cap on clients of it; 0 for none
 * @param currentClientConnections clients connected to it now
 */
public record DatabaseRow(String name, String host, int port, String database, String forceUser, int poolSize,
                          int minPoolSize, int reservePoolSize, long serverLifetimeSeconds, String poolMode,
                          String loadBalanceHosts, int maxConnections, int currentConnections,
                          int maxClientConnections, int currentClientConnections, boolean paused, boolean disabled) {
    public DatabaseRow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(database, "database");
    }
}
