package io.pgmux.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The global settings the admin console's {@code SET key = value} may change while pgmux runs (PgBouncer lets its
 * admin do the same): each is read as the file reads it and gives a new configuration, which the runtime installs
 * as it installs a reload. The others are refused with the reason: the settings only a restart changes
 * ({@link #needsRestart}), and those that can change only in the file, because other settings are derived from
 * them when the file is read (default_pool_size fills the tenants that set no pool_size) or because they are
 * structure rather than a value (databases, users, tenants, access rules, TLS files, admin users).
 */
public final class LiveSettings {
    private static final ValueType<Integer> COUNT = ValueType.integer(0, Integer.MAX_VALUE);
    private static final ValueType<Integer> POSITIVE = ValueType.integer(1, Integer.MAX_VALUE);
    private static final Map<String, BiFunction<PgmuxConfig, String, PgmuxConfig>> SETTABLE = settable();

    private LiveSettings() {
    }

    /** Whether {@code SET key} changes the setting while pgmux runs. */
    public static boolean isSettable(String key) {
        return SETTABLE.containsKey(key.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the setting keeps its value until pgmux restarts ({@link RestartOnlySetting}; a reload warns of a
     * change and keeps the running value); also a section whose settings all do, such as {@code listen}, which the
     * file writes as one block.
     */
    public static boolean needsRestart(String key) {
        return RestartOnlySetting.named(key).isPresent() || RestartOnlySetting.isSection(key);
    }

    /** The keys SET takes, sorted, for messages. */
    public static Set<String> keys() {
        return new TreeMap<>(SETTABLE).keySet();
    }

    /**
     * {@code config} with {@code key} set to {@code value}, read as the configuration file reads it.
     *
     * @throws IllegalArgumentException when the key is not one {@link #isSettable} accepts, or the value does not
     *                                  fit: the message says what was expected, e.g. {@code query_timeout: expected
     *                                  a duration like 500ms, ..., got "soon"}
     */
    public static PgmuxConfig apply(PgmuxConfig config, String key, String value) {
        BiFunction<PgmuxConfig, String, PgmuxConfig> setter = SETTABLE.get(key.toLowerCase(Locale.ROOT));
        if (setter == null) {
            throw new IllegalArgumentException(key + " cannot be set while pgmux runs");
        }
        return setter.apply(config, value);
    }

    private static <T> T read(String key, ValueType<T> type, String value) {
        try {
            return type.parser().apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": expected " + type.expected() + ", got \"" + value + "\"",
                    e);
        }
    }

    private static Map<String, BiFunction<PgmuxConfig, String, PgmuxConfig>> settable() {
        Map<String, BiFunction<PgmuxConfig, String, PgmuxConfig>> m = new TreeMap<>();
        m.put("pool_mode", (c, v) -> top(c, read("pool_mode", ValueType.poolMode(), v), c.maxClientConnections(),
                c.maxServerConnections(), c.serverResetQuery(), c.pinning(), c.maxPreparedStatements(), c.timeouts(),
                c.log()));
        BiFunction<PgmuxConfig, String, PgmuxConfig> maxClients = (c, v) -> top(c, c.poolMode(),
                read("max_client_connections", POSITIVE, v), c.maxServerConnections(), c.serverResetQuery(),
                c.pinning(), c.maxPreparedStatements(), c.timeouts(), c.log());
        m.put("max_client_connections", maxClients);
        m.put("max_client_conn", maxClients); // PgBouncer's name, as SHOW CONFIG shows it too
        m.put("max_server_connections", (c, v) -> top(c, c.poolMode(), c.maxClientConnections(),
                read("max_server_connections", COUNT, v), c.serverResetQuery(), c.pinning(),
                c.maxPreparedStatements(), c.timeouts(), c.log()));
        m.put("server_reset_query", (c, v) -> top(c, c.poolMode(), c.maxClientConnections(),
                c.maxServerConnections(), v, c.pinning(), c.maxPreparedStatements(), c.timeouts(), c.log()));
        m.put("server_reset_query_always", (c, v) -> c.withServerResetQueryAlways(
                read("server_reset_query_always", ValueType.bool(), v)));
        m.put("pinning", (c, v) -> top(c, c.poolMode(), c.maxClientConnections(), c.maxServerConnections(),
                c.serverResetQuery(), read("pinning", ValueType.pinning(), v), c.maxPreparedStatements(),
                c.timeouts(), c.log()));
        m.put("max_prepared_statements", (c, v) -> top(c, c.poolMode(), c.maxClientConnections(),
                c.maxServerConnections(), c.serverResetQuery(), c.pinning(), read("max_prepared_statements", COUNT, v),
                c.timeouts(), c.log()));
        timeouts(m);
        logs(m);
        return Map.copyOf(m);
    }

    private static void timeouts(Map<String, BiFunction<PgmuxConfig, String, PgmuxConfig>> m) {
        for (String key : new String[] {"server_login_retry", "server_idle_timeout", "server_lifetime",
            "server_check_delay", "query_wait_timeout", "query_wait_notify", "query_timeout", "client_idle_timeout",
            "client_login_timeout", "idle_transaction_timeout", "shutdown_timeout"}) {
            m.put(key, (c, v) -> withTimeouts(c, timeout(c.timeouts(), key, read(key, ValueType.duration(), v))));
        }
        m.put("server_check_query", (c, v) -> {
            Timeouts t = c.timeouts();
            return withTimeouts(c, new Timeouts(t.serverConnectTimeout(), t.serverLoginRetry(), t.serverIdleTimeout(),
                    t.serverLifetime(), t.serverCheckDelay(), v, t.queryWaitTimeout(), t.queryWaitNotify(),
                    t.queryTimeout(), t.clientIdleTimeout(), t.clientLoginTimeout(), t.idleTransactionTimeout(),
                    t.shutdownTimeout()));
        });
    }

    private static Timeouts timeout(Timeouts t, String key, Duration d) {
        return new Timeouts(t.serverConnectTimeout(),
                key.equals("server_login_retry") ? d : t.serverLoginRetry(),
                key.equals("server_idle_timeout") ? d : t.serverIdleTimeout(),
                key.equals("server_lifetime") ? d : t.serverLifetime(),
                key.equals("server_check_delay") ? d : t.serverCheckDelay(),
                t.serverCheckQuery(),
                key.equals("query_wait_timeout") ? d : t.queryWaitTimeout(),
                key.equals("query_wait_notify") ? d : t.queryWaitNotify(),
                key.equals("query_timeout") ? d : t.queryTimeout(),
                key.equals("client_idle_timeout") ? d : t.clientIdleTimeout(),
                key.equals("client_login_timeout") ? d : t.clientLoginTimeout(),
                key.equals("idle_transaction_timeout") ? d : t.idleTransactionTimeout(),
                key.equals("shutdown_timeout") ? d : t.shutdownTimeout());
    }

    private static void logs(Map<String, BiFunction<PgmuxConfig, String, PgmuxConfig>> m) {
        m.put("log_stats", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(read("log_stats", ValueType.bool(), v), l.utilizationWarnPercent(),
                    l.logConnections(), l.logDisconnections(), l.logPoolerErrors(), l.logSlowQuery()));
        });
        m.put("utilization_warn_percent", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(l.logStats(), read("utilization_warn_percent",
                    ValueType.integer(0, LogConfig.MAX_UTILIZATION_WARN_PERCENT), v), l.logConnections(),
                    l.logDisconnections(), l.logPoolerErrors(), l.logSlowQuery()));
        });
        m.put("log_connections", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(l.logStats(), l.utilizationWarnPercent(),
                    read("log_connections", ValueType.bool(), v), l.logDisconnections(), l.logPoolerErrors(),
                    l.logSlowQuery()));
        });
        m.put("log_disconnections", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(l.logStats(), l.utilizationWarnPercent(), l.logConnections(),
                    read("log_disconnections", ValueType.bool(), v), l.logPoolerErrors(), l.logSlowQuery()));
        });
        m.put("log_pooler_errors", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(l.logStats(), l.utilizationWarnPercent(), l.logConnections(),
                    l.logDisconnections(), read("log_pooler_errors", ValueType.bool(), v), l.logSlowQuery()));
        });
        m.put("log_slow_query", (c, v) -> {
            LogConfig l = c.log();
            return withLog(c, new LogConfig(l.logStats(), l.utilizationWarnPercent(), l.logConnections(),
                    l.logDisconnections(), l.logPoolerErrors(), read("log_slow_query", ValueType.duration(), v)));
        });
    }

    private static PgmuxConfig withTimeouts(PgmuxConfig c, Timeouts t) {
        return top(c, c.poolMode(), c.maxClientConnections(), c.maxServerConnections(), c.serverResetQuery(),
                c.pinning(), c.maxPreparedStatements(), t, c.log());
    }

    private static PgmuxConfig withLog(PgmuxConfig c, LogConfig log) {
        return top(c, c.poolMode(), c.maxClientConnections(), c.maxServerConnections(), c.serverResetQuery(),
                c.pinning(), c.maxPreparedStatements(), c.timeouts(), log);
    }

    /** {@code c} with the top-level values SET may change replaced. */
    private static PgmuxConfig top(PgmuxConfig c, PoolMode poolMode, int maxClientConnections,
                                   int maxServerConnections, String serverResetQuery, PinningPolicy pinning,
                                   int maxPreparedStatements, Timeouts timeouts, LogConfig log) {
        return new PgmuxConfig(c.listen(), poolMode, c.authType(), c.defaultPoolSize(), c.defaultTenant(),
                maxClientConnections, maxServerConnections, c.maxMessageSize(), c.workers(), c.transport(), serverResetQuery,
                c.serverResetQueryAlways(), pinning, maxPreparedStatements, timeouts, c.databases(), c.users(),
                c.tenants(), c.admin(), c.metrics(), c.allowPasswordWithoutTls(), c.hba(), c.clientTls(), c.serverTls(),
                c.authQuery(), log, c.peers(), c.fleet());
    }
}
