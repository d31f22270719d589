package io.pgmux.metrics;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.metrics.Family.Counter;
import io.pgmux.metrics.Family.Gauge;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.stats.PoolCounter;
import io.pgmux.stats.PoolTotals;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The {@code pgbouncer_*} families under the names, labels and units the prometheus-community pgbouncer_exporter
 * (v0.12) publishes from SHOW POOLS, SHOW STATS_TOTALS, SHOW DATABASES, SHOW LISTS and SHOW CONFIG, for what
 * pgmux has; dashboards and alerts built for PgBouncer read them unchanged (metrics.pgbouncer_compat). The
 * statistics come twice: as {@code pgbouncer_stats_totals_*} (exporter v0.11 on) and under the older
 * {@code pgbouncer_stats_*} names that dashboards of exporter v0.10 and before query. States pgmux does not have
 * (cancel requests in flight, servers "used") are published as 0 so that sums over them keep working.
 */
final class PgbouncerFamilies {
    private PgbouncerFamilies() {
    }

    /** A SHOW STATS_TOTALS column as the exporter publishes it; times converted from µs to seconds. */
    private record StatsColumn(String suffix, PoolCounter counter, boolean micros, String help) {
    }

    private static final List<StatsColumn> STATS = List.of(
            new StatsColumn("queries_pooled", PoolCounter.QUERY_COUNT, false, "Total number of SQL queries pooled"),
            new StatsColumn("queries_duration_seconds", PoolCounter.QUERY_TIME_US, true,
                    "Total number of seconds spent when executing queries"),
            new StatsColumn("received_bytes", PoolCounter.BYTES_RECEIVED, false,
                    "Total volume in bytes of network traffic received from clients"),
            new StatsColumn("sent_bytes", PoolCounter.BYTES_SENT, false,
                    "Total volume in bytes of network traffic sent to clients"),
            new StatsColumn("client_wait_seconds", PoolCounter.WAIT_TIME_US, true,
                    "Time spent by clients waiting for a server, in seconds"),
            new StatsColumn("sql_transactions_pooled", PoolCounter.XACT_COUNT, false,
                    "Total number of SQL transactions pooled"),
            new StatsColumn("server_in_transaction_seconds", PoolCounter.XACT_TIME_US, true,
                    "Total number of seconds spent in a transaction"),
            new StatsColumn("client_parses", PoolCounter.CLIENT_PARSES, false,
                    "Total number of prepared statements created by clients"),
            new StatsColumn("server_parses", PoolCounter.SERVER_PARSES, false,
                    "Total number of prepared statements created on a server"),
            new StatsColumn("binds", PoolCounter.BINDS, false, "Total number of prepared statements readied for "
                    + "execution by clients and forwarded to the server"),
            new StatsColumn("server_assignments", PoolCounter.SERVER_ASSIGNMENTS, false,
                    "Total number of times a server was assigned to a client"));

    /**
     * @param paused   whether a database is paused (PAUSE, KILL, SUSPEND)
     * @param disabled whether new logins to a database are refused (DISABLE)
     */
    static List<Family> of(ScrapeView view, PgmuxConfig config, Predicate<String> paused,
                           Predicate<String> disabled) {
        List<Family> families = new ArrayList<>();
        families.add(Family.gauge("pgbouncer_up", "The pooler answers (always 1: pgmux serves this itself)")
                .add(Labels.EMPTY, 1));
        lists(view, config, families);
        pools(view, families);
        stats(view, families);
        databases(view, config, paused, disabled, families);
        return families;
    }

    private static void lists(ScrapeView view, PgmuxConfig config, List<Family> families) {
        families.add(Family.gauge("pgbouncer_databases", "Count of databases").add(Labels.EMPTY,
                config.databases().size()));
        families.add(Family.gauge("pgbouncer_users", "Count of users").add(Labels.EMPTY, config.users().size()));
        families.add(Family.gauge("pgbouncer_pools", "Count of pools").add(Labels.EMPTY, view.pools().size()));
        families.add(Family.gauge("pgbouncer_config_max_client_connections",
                "Config maximum number of client connections").add(Labels.EMPTY, config.maxClientConnections()));
    }

    private static void pools(ScrapeView view, List<Family> families) {
        poolGauge(view, families, "client_active_connections",
                "Client connections that are linked to server connection or are idle with no queries waiting to "
                        + "be processed", ScrapeView.PoolRow::clientsActive);
        poolGauge(view, families, "client_waiting_connections",
                "Client connections that have sent queries but have not yet got a server connection",
                r -> r.snapshot().clientsWaiting());
        poolGauge(view, families, "client_active_cancel_connections",
                "Client connections that have forwarded query cancellations to the server and are waiting for "
                        + "the server response", r -> 0);
        poolGauge(view, families, "client_waiting_cancel_connections",
                "Client connections that have not forwarded query cancellations to the server yet", r -> 0);
        poolGauge(view, families, "server_active_connections",
                "Server connections that are linked to a client", r -> r.snapshot().serversActive());
        poolGauge(view, families, "server_active_cancel_connections",
                "Server connections that are currently forwarding a cancel request", r -> 0);
        poolGauge(view, families, "server_being_canceled_connections",
                "Servers that normal clients are currently canceling", r -> 0);
        poolGauge(view, families, "server_idle_connections",
                "Server connections that are unused and immediately usable for client queries",
                r -> r.snapshot().serversIdle());
        poolGauge(view, families, "server_used_connections",
                "Server connections that have been idle for more than server_check_delay", r -> 0);
        poolGauge(view, families, "server_testing_connections",
                "Server connections that are currently running server_check_query", r -> r.snapshot().serversTested());
        poolGauge(view, families, "server_login_connections",
                "Server connections currently in the process of logging in", r -> r.snapshot().serversOpening());
        Gauge maxWait = Family.gauge("pgbouncer_pools_client_maxwait_seconds",
                "Age of oldest unserved client connection, in whole seconds (SHOW POOLS maxwait)");
        for (ScrapeView.PoolRow row : view.pools()) {
            maxWait.add(poolLabels(row.snapshot()), TimeUnit.MICROSECONDS.toSeconds(row.snapshot().maxWaitMicros()));
        }
        families.add(maxWait);
    }

    private static void poolGauge(ScrapeView view, List<Family> families, String suffix, String help,
                                  ToLongFunction<ScrapeView.PoolRow> value) {
        Gauge gauge = Family.gauge("pgbouncer_pools_" + suffix, help);
        for (ScrapeView.PoolRow row : view.pools()) {
            gauge.add(poolLabels(row.snapshot()), value.applyAsLong(row));
        }
        families.add(gauge);
    }

    private static Labels poolLabels(PoolSnapshot s) {
        return Labels.of("database", s.database(), "user", s.user());
    }

    private static void stats(ScrapeView view, List<Family> families) {
        Map<String, PoolTotals> byDatabase = view.stats().byDatabase();
        for (String prefix : List.of("pgbouncer_stats_totals_", "pgbouncer_stats_")) {
            for (StatsColumn column : STATS) {
                Counter counter = Family.counter(prefix + column.suffix(), column.help());
                byDatabase.forEach((database, totals) -> {
                    long value = totals.get(column.counter());
                    counter.add(Labels.of("database", database), column.micros() ? Family.seconds(value) : value);
                });
                families.add(counter);
            }
        }
    }

    /** SHOW DATABASES as the exporter labels it, with what pgmux has of its columns. */
    private static void databases(ScrapeView view, PgmuxConfig config, Predicate<String> paused,
                                  Predicate<String> disabled, List<Family> families) {
        Map<String, Long> servers = new HashMap<>();
        for (ScrapeView.PoolRow row : view.pools()) {
            PoolSnapshot s = row.snapshot();
            servers.merge(s.database(),
                    (long) s.serversActive() + s.serversIdle() + s.serversOpening() + s.serversTested(), Long::sum);
        }
        List<DatabaseConfig> databases = List.copyOf(config.databases().values());
        families.add(databaseGauge(databases, "pool_size", "Maximum number of server connections per user "
                + "(default_pool_size; tenants have their own)", db -> config.defaultPoolSize()));
        families.add(databaseGauge(databases, "max_connections",
                "Maximum number of allowed connections to the database (0: no cap)", DatabaseConfig::maxConnections));
        families.add(databaseGauge(databases, "current_connections", "Current number of connections to the database",
                db -> servers.getOrDefault(db.name(), 0L)));
        families.add(databaseGauge(databases, "paused", "1 if this database is currently paused, else 0",
                db -> paused.test(db.name()) ? 1 : 0));
        families.add(databaseGauge(databases, "disabled", "1 if this database is currently disabled, else 0",
                db -> disabled.test(db.name()) ? 1 : 0));
    }

    private static Gauge databaseGauge(List<DatabaseConfig> databases, String suffix, String help,
                                       ToDoubleFunction<DatabaseConfig> value) {
        Gauge gauge = Family.gauge("pgbouncer_databases_" + suffix, help);
        for (DatabaseConfig db : databases) {
            gauge.add(Labels.of("database", db.dbname(), "force_user", db.user().orElse(""), "host", db.host(),
                    "name", db.name(), "pool_mode", db.poolMode().map(PoolMode::configName).orElse(""),
                    "port", Integer.toString(db.port())), value.applyAsDouble(db));
        }
        return gauge;
    }
}
