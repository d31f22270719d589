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
 * @param workers               event-loop threads; 0 means one per two available cores ({@link #eventLoops})
 * @param transport             the socket transport of the event loops ({@code transport}); needs a restart
 * @param serverResetQuery      run when a server connection returns to the pool in session mode; empty skips it
 * @param serverResetQueryAlways whether serverResetQuery also runs in transaction mode, after every transaction,
 *                              before the server serves anyone else (PgBouncer's {@code server_reset_query_always});
 *                              default false
 * @param maxPreparedStatements prepared statements tracked per client in transaction mode
 * @param allowPasswordWithoutTls whether the {@code password} method may be used on a connection without TLS,
 *                              where the password would cross the network in cleartext; default false
 * @param hba                   the access rules ({@code hba} or {@code hba_file}); when present they alone decide
 *                              the method, and {@code auth_type} is not used
 * @param clientTls             TLS towards clients ({@code client_tls_*})
 * @param serverTls             the global {@code server_tls_*} settings; each database holds its resolved copy
 * @param authQuery             the global {@code auth_user}/{@code auth_query}; each database holds its own
 * @param log                   {@code log_stats}, {@code utilization_warn_percent}, the connection-event logs and
 *                              {@code log_slow_query}
 * @param peers                 {@code peer_id} and {@code peers}: the group of processes that forward cancel requests
 *                              to each other
 * @param fleet                 {@code fleet:}, budgets shared by every instance that runs this file
 */
public record PgmuxConfig(ListenConfig listen, PoolMode poolMode, AuthType authType, int defaultPoolSize,
                          Optional<String> defaultTenant, int maxClientConnections, int maxServerConnections,
                          int maxMessageSize, int workers, IoTransport transport, String serverResetQuery,
                          boolean serverResetQueryAlways, PinningPolicy pinning, int maxPreparedStatements,
                          Timeouts timeouts, Map<String, DatabaseConfig> databases, Map<String, UserConfig> users,
                          Map<String, TenantConfig> tenants, AdminConfig admin, MetricsConfig metrics,
                          boolean allowPasswordWithoutTls, Optional<AccessRules> hba, ClientTlsConfig clientTls,
                          ServerTlsConfig serverTls, Optional<AuthQueryConfig> authQuery, LogConfig log,
                          PeersConfig peers, FleetConfig fleet) {
    public PgmuxConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(defaultTenant, "defaultTenant");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(serverResetQuery, "serverResetQuery");
        Objects.requireNonNull(pinning, "pinning");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(hba, "hba");
        Objects.requireNonNull(clientTls, "clientTls");
        Objects.requireNonNull(serverTls, "serverTls");
        Objects.requireNonNull(authQuery, "authQuery");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(fleet, "fleet");
        databases = frozen(databases);
        users = frozen(users);
        tenants = frozen(tenants);
    }

    /**
     * The event loops to run: {@code workers}, or for 0 one per two available cores, at least one. A pooler's loop
     * spends most of its time in socket calls whose kernel work also wakes its peers (the clients, the database),
     * which on a small machine share the same cores; with one loop per core on two cores pgmux spent 1.1–1.3× the
     * CPU per transaction of one loop, and a server moved between loops on up to 8 % of hand-offs at 1000 clients
     * (bench/RESULTS.md, "One event loop per two cores").
     *
     * @param availableCores the cores the JVM may use (a container's CPU limit included)
     */
    public int eventLoops(int availableCores) {
        return workers > 0 ? workers : Math.max(1, availableCores / 2);
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
     * The method a client of {@code user} on {@code database} authenticates with when no access rules are
     * configured: the user's {@code auth_type}, then the database's, then the global one. (With {@link #hba()}
     * the matching rule decides instead.)
     */
    public AuthType authTypeFor(String database, String user) {
        return user(user).flatMap(UserConfig::authType)
                .or(() -> database(database).flatMap(DatabaseConfig::authType))
                .orElse(authType);
    }

    /**
     * Who a server connection for a client of {@code user} on {@code database} logs in as, most specific first:
     * the user's {@code server_user} (with its {@code server_password}, or none); the user's
     * {@code server_password} alone (the same role, another password); the database's {@code user} with its
     * {@code password} (PgBouncer's forced user); else the client's own name and {@code password}, which for a
     * user found by auth_query or configured with a verifier only, logs in by SCRAM passthrough.
     */
    public UpstreamLogin upstreamLoginFor(String database, String user) {
        Optional<UserConfig> known = user(user);
        Optional<String> serverUser = known.flatMap(UserConfig::serverUser);
        Optional<String> serverPassword = known.flatMap(UserConfig::serverPassword);
        if (serverUser.isPresent() || serverPassword.isPresent()) {
            return new UpstreamLogin(serverUser.orElse(user), serverPassword);
        }
        Optional<DatabaseConfig> db = database(database);
        if (db.flatMap(DatabaseConfig::user).isPresent()) {
            return new UpstreamLogin(db.get().user().get(), db.get().password());
        }
        return new UpstreamLogin(user, known.flatMap(UserConfig::password));
    }

    /**
     * How to look up users of {@code database} that are not in {@code users}: the database's own auth_query
     * settings, else the global ones; empty when no {@code auth_user} applies.
     */
    public Optional<AuthQueryConfig> authQueryFor(String database) {
        Optional<DatabaseConfig> db = database(database);
        return db.isPresent() ? db.get().authQuery() : authQuery;
    }

    /** The same configuration listening elsewhere; tests listen on port 0. */
    public PgmuxConfig withListen(ListenConfig newListen) {
        return new PgmuxConfig(newListen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, serverResetQueryAlways,
                pinning, maxPreparedStatements,
                timeouts, databases, users, tenants, admin, metrics, allowPasswordWithoutTls, hba, clientTls,
                serverTls, authQuery, log, peers, fleet);
    }

    /** The same configuration with another {@code server_reset_query_always}. */
    public PgmuxConfig withServerResetQueryAlways(boolean always) {
        return new PgmuxConfig(listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, always, pinning,
                maxPreparedStatements, timeouts, databases, users, tenants, admin, metrics, allowPasswordWithoutTls,
                hba, clientTls, serverTls, authQuery, log, peers, fleet);
    }

    /** The same configuration with other peering settings; tests build peer groups on ports the OS picked. */
    public PgmuxConfig withPeers(PeersConfig newPeers) {
        return new PgmuxConfig(listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, serverResetQueryAlways,
                pinning, maxPreparedStatements,
                timeouts, databases, users, tenants, admin, metrics, allowPasswordWithoutTls, hba, clientTls,
                serverTls, authQuery, log, newPeers, fleet);
    }

    /** The same configuration with another metrics endpoint; tests let the OS pick its port. */
    public PgmuxConfig withMetrics(MetricsConfig newMetrics) {
        return new PgmuxConfig(listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, serverResetQueryAlways,
                pinning, maxPreparedStatements,
                timeouts, databases, users, tenants, admin, newMetrics, allowPasswordWithoutTls, hba, clientTls,
                serverTls, authQuery, log, peers, fleet);
    }

    /** The same configuration with other fleet settings; tests give each in-process instance its own id. */
    public PgmuxConfig withFleet(FleetConfig newFleet) {
        return new PgmuxConfig(listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, maxMessageSize, workers, transport, serverResetQuery, serverResetQueryAlways,
                pinning, maxPreparedStatements,
                timeouts, databases, users, tenants, admin, metrics, allowPasswordWithoutTls, hba, clientTls,
                serverTls, authQuery, log, peers, newFleet);
    }

    /**
     * This configuration with the settings only a restart applies ({@link RestartOnlySetting}) taken from
     * {@code running}, everything else as it is: what a reload installs, so that the configuration in force (and
     * SHOW CONFIG) says what pgmux does, as PostgreSQL's SHOW keeps a restart-only parameter's running value after a
     * reload. Of {@code peers}, only this process's own entry is kept; the others follow this configuration.
     */
    public PgmuxConfig withRestartOnlyFrom(PgmuxConfig running) {
        Timeouts t = timeouts;
        Timeouts kept = new Timeouts(running.timeouts.serverConnectTimeout(), t.serverLoginRetry(),
                t.serverIdleTimeout(), t.serverLifetime(), t.serverCheckDelay(), t.serverCheckQuery(),
                t.queryWaitTimeout(), t.queryWaitNotify(), t.queryTimeout(), t.clientIdleTimeout(),
                t.clientLoginTimeout(), t.idleTransactionTimeout(), t.shutdownTimeout());
        return new PgmuxConfig(running.listen, poolMode, authType, defaultPoolSize, defaultTenant, maxClientConnections,
                maxServerConnections, running.maxMessageSize, running.workers, running.transport, serverResetQuery,
                serverResetQueryAlways, pinning, maxPreparedStatements, kept, databases, users, tenants, admin,
                running.metrics, allowPasswordWithoutTls, hba, clientTls, serverTls, authQuery, log,
                peers.withOwnFrom(running.peers), running.fleet);
    }

    /**
     * What runs on a server after each transaction in transaction mode before anyone else gets it: server_reset_query
     * while server_reset_query_always is on (PgBouncer's setting), else null.
     */
    public String resetQueryAfterTransaction() {
        return serverResetQueryAlways ? serverResetQuery : null;
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
