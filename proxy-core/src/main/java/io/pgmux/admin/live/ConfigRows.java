package io.pgmux.admin.live;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.LiveSettings;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SHOW CONFIG's rows: every global setting under its key in the YAML file (nested ones as {@code listen.port}),
 * its value in force, its default, and whether the console's SET changes it while pgmux runs (PgBouncer's
 * {@code changeable}; {@link LiveSettings}; the others change by RELOAD or a restart). The TLS and authentication
 * settings are in {@link TlsRows} and {@link AuthRows}; no row shows a secret, only the paths of key files. The
 * sections of named entries ({@code databases}, {@code users}, {@code tenants}, {@code peers}) are not rows: SHOW
 * DATABASES, USERS, TENANTS and PEERS list them. Last, under PgBouncer's names, {@code max_client_conn} (pgmux's
 * max_client_connections) and {@code max_user_connections} (0: pgmux caps tenants, not users), which the
 * pgbouncer_exporter reads, and {@code auth_hba_file} (pgmux's hba_file).
 */
public final class ConfigRows {
    /** The configuration of a file that sets nothing but a database: the defaults, as the loader applies them. */
    private static final PgmuxConfig DEFAULTS = ConfigLoader.parse("databases: {default: {}}\n", "defaults",
            Map.of());

    private ConfigRows() {
    }

    public static List<ConfigRow> of(PgmuxConfig c) {
        PgmuxConfig d = DEFAULTS;
        List<ConfigRow> rows = new ArrayList<>();
        rows.add(fixed("listen.host", c.listen().host(), d.listen().host()));
        rows.add(fixed("listen.port", c.listen().port(), d.listen().port()));
        rows.add(fixed("listen.so_reuseport", c.listen().soReuseport() ? "on" : "off", "off"));
        rows.add(fixed("peer_id", c.peers().peerId(), d.peers().peerId()));
        rows.add(live("pool_mode", c.poolMode().configName(), d.poolMode().configName()));
        rows.add(live("auth_type", c.authType().configName(), d.authType().configName()));
        AuthRows.add(rows, c, d);
        rows.add(live("default_pool_size", c.defaultPoolSize(), d.defaultPoolSize()));
        rows.add(live("default_tenant", c.defaultTenant().orElse(""), d.defaultTenant().orElse("")));
        rows.add(live("max_client_connections", c.maxClientConnections(), d.maxClientConnections()));
        rows.add(live("max_server_connections", c.maxServerConnections(), d.maxServerConnections()));
        rows.add(live("max_message_size", c.maxMessageSize(), d.maxMessageSize()));
        rows.add(fixed("workers", c.workers(), d.workers()));
        rows.add(fixed("transport", c.transport().configName(), d.transport().configName()));
        rows.add(live("server_reset_query", c.serverResetQuery(), d.serverResetQuery()));
        rows.add(live("server_reset_query_always", onOff(c.serverResetQueryAlways()),
                onOff(d.serverResetQueryAlways())));
        rows.add(live("pinning", c.pinning().configName(), d.pinning().configName()));
        rows.add(live("max_prepared_statements", c.maxPreparedStatements(), d.maxPreparedStatements()));
        timeouts(rows, c.timeouts(), d.timeouts());
        TlsRows.add(rows, c, d);
        rows.add(live("admin.users", String.join(",", c.admin().users()), ""));
        rows.add(live("admin.stats_users", String.join(",", c.admin().statsUsers()), ""));
        rows.add(fixed("metrics.enabled", c.metrics().enabled() ? "on" : "off", d.metrics().enabled() ? "on" : "off"));
        rows.add(fixed("metrics.host", c.metrics().host(), d.metrics().host()));
        rows.add(fixed("metrics.port", c.metrics().port(), d.metrics().port()));
        rows.add(fixed("metrics.pgbouncer_compat", onOff(c.metrics().pgbouncerCompat()),
                onOff(d.metrics().pgbouncerCompat())));
        rows.add(live("log_stats", c.log().logStats() ? "on" : "off", d.log().logStats() ? "on" : "off"));
        rows.add(live("utilization_warn_percent", c.log().utilizationWarnPercent(),
                d.log().utilizationWarnPercent()));
        rows.add(live("log_connections", onOff(c.log().logConnections()), onOff(d.log().logConnections())));
        rows.add(live("log_disconnections", onOff(c.log().logDisconnections()), onOff(d.log().logDisconnections())));
        rows.add(live("log_pooler_errors", onOff(c.log().logPoolerErrors()), onOff(d.log().logPoolerErrors())));
        rows.add(live("log_slow_query", c.log().logSlowQuery(), d.log().logSlowQuery()));
        rows.add(fixed("fleet.enabled", c.fleet().enabled() ? "on" : "off", d.fleet().enabled() ? "on" : "off"));
        rows.add(fixed("fleet.name", c.fleet().name(), d.fleet().name()));
        rows.add(fixed("fleet.instance_id", c.fleet().instanceId().orElse(""), ""));
        rows.add(fixed("fleet.min_leases", c.fleet().minLeases(), d.fleet().minLeases()));
        rows.add(fixed("fleet.lease_idle_timeout", c.fleet().leaseIdleTimeout(), d.fleet().leaseIdleTimeout()));
        rows.add(fixed("fleet.rebalance_interval", c.fleet().rebalanceInterval(), d.fleet().rebalanceInterval()));
        rows.add(fixed("fleet.lease_reclaim_timeout", c.fleet().leaseReclaimTimeout(),
                d.fleet().leaseReclaimTimeout()));
        rows.add(live("max_client_conn", c.maxClientConnections(), d.maxClientConnections()));
        rows.add(new ConfigRow("max_user_connections", "0", "0", false));
        rows.add(live("auth_hba_file", AuthRows.hbaFile(c), ""));
        return rows;
    }

    private static void timeouts(List<ConfigRow> rows, Timeouts c, Timeouts d) {
        rows.add(live("server_connect_timeout", c.serverConnectTimeout(), d.serverConnectTimeout()));
        rows.add(live("server_login_retry", c.serverLoginRetry(), d.serverLoginRetry()));
        rows.add(live("server_idle_timeout", c.serverIdleTimeout(), d.serverIdleTimeout()));
        rows.add(live("server_lifetime", c.serverLifetime(), d.serverLifetime()));
        rows.add(live("server_check_delay", c.serverCheckDelay(), d.serverCheckDelay()));
        rows.add(live("server_check_query", c.serverCheckQuery(), d.serverCheckQuery()));
        rows.add(live("query_wait_timeout", c.queryWaitTimeout(), d.queryWaitTimeout()));
        rows.add(live("query_wait_notify", c.queryWaitNotify(), d.queryWaitNotify()));
        rows.add(live("query_timeout", c.queryTimeout(), d.queryTimeout()));
        rows.add(live("client_idle_timeout", c.clientIdleTimeout(), d.clientIdleTimeout()));
        rows.add(live("client_login_timeout", c.clientLoginTimeout(), d.clientLoginTimeout()));
        rows.add(live("idle_transaction_timeout", c.idleTransactionTimeout(), d.idleTransactionTimeout()));
        rows.add(live("shutdown_timeout", c.shutdownTimeout(), d.shutdownTimeout()));
    }

    /** The keys SHOW CONFIG lists, lower case. */
    public static Set<String> keys() {
        return KEYS;
    }

    private static final Set<String> KEYS = of(DEFAULTS).stream().map(ConfigRow::key)
            .collect(Collectors.toUnmodifiableSet());

    static ConfigRow live(String key, Object value, Object defaultValue) {
        return new ConfigRow(key, text(value), text(defaultValue), LiveSettings.isSettable(key));
    }

    static ConfigRow fixed(String key, Object value, Object defaultValue) {
        return new ConfigRow(key, text(value), text(defaultValue), false);
    }

    static String onOff(boolean value) {
        return value ? "on" : "off";
    }

    /** As the YAML file would say it: durations in whole seconds ("15s") or milliseconds ("500ms"), 0 for off. */
    static String text(Object value) {
        if (value instanceof Duration) {
            long millis = ((Duration) value).toMillis();
            if (millis == 0) {
                return "0";
            }
            return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }
        return String.valueOf(value);
    }
}
