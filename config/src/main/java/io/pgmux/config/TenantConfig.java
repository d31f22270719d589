package io.pgmux.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A budget of server connections shared by the users that name this tenant, so one noisy application cannot
 * starve the others.
 *
 * @param poolSize             server connections the tenant normally gets
 * @param minPoolSize          connections kept open even when idle, to absorb the first burst without connecting
 * @param reservePoolSize      extra connections granted when clients have waited {@code reservePoolTimeout}
 * @param maxServerConnections hard ceiling for the tenant; the loader defaults it to pool plus reserve
 * @param maxClientConnections clients the tenant may have connected at once; 0 means unlimited
 * @param queryWaitTimeout     overrides the global {@code query_wait_timeout}; empty means use the global one
 * @param weight               share of contended capacity relative to other tenants, at least 1
 */
public record TenantConfig(String name, int poolSize, int minPoolSize, int reservePoolSize,
                           Duration reservePoolTimeout, int maxServerConnections, int maxClientConnections,
                           Optional<Duration> queryWaitTimeout, int weight) {
    public TenantConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reservePoolTimeout, "reservePoolTimeout");
        Objects.requireNonNull(queryWaitTimeout, "queryWaitTimeout");
    }

    /** The most server connections the tenant may hold on one database: pool and reserve, within the hard cap. */
    public int mostConnectionsPerDatabase() {
        return Math.min(maxServerConnections, poolSize + reservePoolSize);
    }
}
