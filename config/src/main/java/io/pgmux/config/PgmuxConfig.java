package io.pgmux.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, as loaded by {@link ConfigLoader}. The maps keep the order of the file, so listings in
 * the admin console and in logs match what the operator wrote.
 *
 * @param defaultTenant         the tenant for users that name none
 * @param maxClientConnections  clients connected at once, across everything
 * @param maxServerConnections  server connections at once, across everything; 0 means no global cap
 * @param maxMessageSize        largest protocol message accepted from either side, in bytes
 * @param workers               event-loop threads; 0 means one per available core
 * @param serverResetQuery      run when a server connection returns to the pool in session mode; empty skips it
 * @param maxPreparedStatements prepared statements tracked per client in transaction mode
 */
public record PgmuxConfig(ListenConfig listen, PoolMode poolMode, AuthType authType, int defaultPoolSize,
                          Optional<String> defaultTenant, int maxClientConnections, int maxServerConnections,
                          int maxMessageSize, int workers, String serverResetQuery, PinningPolicy pinning,
                          int maxPreparedStatements, Timeouts timeouts,
                          Map<String, DatabaseConfig> databases, Map<String, UserConfig> users,
                          Map<String, TenantConfig> tenants, AdminConfig admin, MetricsConfig metrics) {
    public PgmuxConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(defaultTenant, "defaultTenant");
        Objects.requireNonNull(serverResetQuery, "serverResetQuery");
        Objects.requireNonNull(pinning, "pinning");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(metrics, "metrics");
        databases = frozen(databases);
        users = frozen(users);
        tenants = frozen(tenants);
    }

    public Optional<UserConfig> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public Optional<DatabaseConfig> database(String name) {
        return Optional.ofNullable(databases.get(name));
    }

    /** The most specific setting wins: the user's, then the database's, then the global {@code pool_mode}. */
    public PoolMode poolModeFor(String database, String user) {
        return user(user).flatMap(UserConfig::poolMode)
                .or(() -> database(database).flatMap(DatabaseConfig::poolMode))
                .orElse(poolMode);
    }

    /** Same precedence as {@link #poolModeFor}: user, then database, then the global {@code pinning}. */
    public PinningPolicy pinningFor(String database, String user) {
        return user(user).flatMap(UserConfig::pinning)
                .or(() -> database(database).flatMap(DatabaseConfig::pinning))
                .orElse(pinning);
    }

    /**
     * The tenant whose budget {@code user}'s connections count against: the user's own, else {@code default_tenant}
     * (which also covers users not listed in {@code users}), else none.
     */
    public Optional<TenantConfig> tenantOf(String user) {
        return user(user).flatMap(UserConfig::tenant)
                .or(() -> defaultTenant)
                .map(tenants::get);
    }

    // A defensive, order-keeping copy: Map.copyOf would lose the file's order.
    private static <V> Map<String, V> frozen(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(map)));
    }
}
