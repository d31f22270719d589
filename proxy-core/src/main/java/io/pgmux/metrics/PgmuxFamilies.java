package io.pgmux.metrics;

import io.pgmux.metrics.Family.Counter;
import io.pgmux.metrics.Family.Gauge;
import io.pgmux.metrics.Family.Histogram;
import io.pgmux.pool.CircuitState;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.TenantLoad;
import io.pgmux.stats.Latency;
import io.pgmux.stats.PoolCounter;
import io.pgmux.stats.StatsSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgmux's own metric families, {@code pgmux_*}: base units (seconds, bytes), labels {@code database}, {@code user}
 * and {@code tenant} (empty for a user without one). The README lists them all.
 */
final class PgmuxFamilies {
    private PgmuxFamilies() {
    }

    /** A counter of the statistics model as a family; the name without _total. */
    private record CounterFamily(String name, PoolCounter counter, String help) {
    }

    private record HistogramFamily(String name, Latency latency, String help) {
    }

    private static final List<CounterFamily> COUNTERS = List.of(
            new CounterFamily("pgmux_transactions", PoolCounter.XACT_COUNT, "Transactions pooled."),
            new CounterFamily("pgmux_queries", PoolCounter.QUERY_COUNT,
                    "Queries pooled (a Query, or an extended-protocol Sync)."),
            new CounterFamily("pgmux_received_bytes", PoolCounter.BYTES_RECEIVED, "Bytes received from clients."),
            new CounterFamily("pgmux_sent_bytes", PoolCounter.BYTES_SENT, "Bytes sent to clients."),
            new CounterFamily("pgmux_server_assignments", PoolCounter.SERVER_ASSIGNMENTS,
                    "Times a server was handed to a client."),
            new CounterFamily("pgmux_client_parses", PoolCounter.CLIENT_PARSES,
                    "Prepared statements created by clients (Parses naming a statement)."),
            new CounterFamily("pgmux_server_parses", PoolCounter.SERVER_PARSES,
                    "Named prepared statements pgmux created on servers."),
            new CounterFamily("pgmux_binds", PoolCounter.BINDS, "Binds of named prepared statements from clients."),
            new CounterFamily("pgmux_client_logins", PoolCounter.CLIENT_LOGINS, "Clients that logged in."),
            new CounterFamily("pgmux_server_connects", PoolCounter.SERVER_CONNECTS,
                    "Server connections opened and logged in."),
            new CounterFamily("pgmux_server_connect_failures", PoolCounter.SERVER_CONNECT_FAILURES,
                    "Server connection attempts that failed (connect, login, or the database's refusal)."),
            new CounterFamily("pgmux_wait_timeouts", PoolCounter.WAIT_TIMEOUTS,
                    "Clients that gave up waiting after query_wait_timeout."),
            new CounterFamily("pgmux_query_timeouts", PoolCounter.QUERY_TIMEOUTS,
                    "Queries cancelled after query_timeout."),
            new CounterFamily("pgmux_protocol_errors", PoolCounter.PROTOCOL_ERRORS,
                    "Clients closed for a protocol violation."),
            new CounterFamily("pgmux_cancels", PoolCounter.CANCELS, "Cancel requests forwarded to a server."),
            new CounterFamily("pgmux_circuit_opens", PoolCounter.CIRCUIT_OPENS,
                    "Times a failed connection attempt of the pool opened its upstream's circuit breaker."));

    private static final List<HistogramFamily> HISTOGRAMS = List.of(
            new HistogramFamily("pgmux_wait_duration_seconds", Latency.WAIT,
                    "Time from asking for a server to getting one or giving up; 0 when an idle server was at hand."),
            new HistogramFamily("pgmux_transaction_duration_seconds", Latency.XACT,
                    "Time a transaction held a server."),
            new HistogramFamily("pgmux_query_duration_seconds", Latency.QUERY,
                    "Time from sending a query to its ReadyForQuery."));

    static List<Family> of(ScrapeView view) {
        List<Family> families = new ArrayList<>();
        poolGauges(view, families);
        tenantGauges(view, families);
        databaseGauges(view, families);
        counters(view.stats(), families);
        return families;
    }

    private static Labels poolLabels(String database, String user, String tenant) {
        return Labels.of("database", database, "tenant", tenant == null ? "" : tenant, "user", user);
    }

    private static void poolGauges(ScrapeView view, List<Family> families) {
        Gauge clients = Family.gauge("pgmux_pool_client_connections",
                "Clients of the pool: active (logged in, not waiting) or waiting for a server.");
        Gauge servers = Family.gauge("pgmux_pool_server_connections",
                "Server connections of the pool: active (lent to a client), idle, login (connecting or logging "
                        + "in) or tested (running server_check_query).");
        Gauge maxWait = Family.gauge("pgmux_pool_max_wait_seconds",
                "How long the pool's longest-waiting client has waited.");
        for (ScrapeView.PoolRow row : view.pools()) {
            PoolSnapshot s = row.snapshot();
            String tenant = s.tenant() == null ? "" : s.tenant();
            clients.add(labels(s, tenant, "active"), row.clientsActive())
                    .add(labels(s, tenant, "waiting"), s.clientsWaiting());
            servers.add(labels(s, tenant, "active"), s.serversActive())
                    .add(labels(s, tenant, "idle"), s.serversIdle())
                    .add(labels(s, tenant, "login"), s.serversOpening())
                    .add(labels(s, tenant, "tested"), s.serversTested());
            maxWait.add(poolLabels(s.database(), s.user(), s.tenant()), Family.seconds(s.maxWaitMicros()));
        }
        families.addAll(List.of(clients, servers, maxWait));
    }

    private static Labels labels(PoolSnapshot s, String tenant, String state) {
        return Labels.of("database", s.database(), "state", state, "tenant", tenant, "user", s.user());
    }

    /**
     * Per tenant and database: the budget its pools share there, the connections held against it and those serving
     * clients ({@link TenantLoad}), and its clients summed.
     */
    private static void tenantGauges(ScrapeView view, List<Family> families) {
        Map<List<String>, long[]> clients = new LinkedHashMap<>();
        for (ScrapeView.PoolRow row : view.pools()) {
            PoolSnapshot s = row.snapshot();
            if (s.tenant() == null) {
                continue;
            }
            long[] sums = clients.computeIfAbsent(List.of(s.database(), s.tenant()), k -> new long[2]);
            sums[0] += row.clientsActive();
            sums[1] += s.clientsWaiting();
        }
        Gauge size = Family.gauge("pgmux_tenant_budget_connections",
                "The tenant's pool_size on the database: server connections it may hold normally.");
        Gauge reserve = Family.gauge("pgmux_tenant_reserve_connections",
                "Connections the tenant may add once a client has waited reserve_pool_timeout.");
        Gauge held = Family.gauge("pgmux_tenant_server_connections",
                "Server connections counting against the tenant's budget on the database now, idle ones included.");
        Gauge active = Family.gauge("pgmux_tenant_active_server_connections",
                "The tenant's server connections on the database linked to a client now (sv_active).");
        Gauge utilization = Family.gauge("pgmux_tenant_utilization_ratio",
                "Server connections linked to a client over pool_size (above 1 while the reserve serves clients).");
        Gauge tenantClients = Family.gauge("pgmux_tenant_client_connections",
                "The tenant's clients on the database: active or waiting.");
        for (TenantLoad t : TenantLoad.of(view.pools().stream().map(ScrapeView.PoolRow::snapshot).toList())) {
            Labels labels = Labels.of("database", t.database(), "tenant", t.tenant());
            size.add(labels, t.limit());
            reserve.add(labels, t.reserve());
            held.add(labels, t.servers());
            active.add(labels, t.inUse());
            t.utilization().ifPresent(ratio -> utilization.add(labels, ratio));
            long[] sums = clients.get(List.of(t.database(), t.tenant()));
            tenantClients.add(Labels.of("database", t.database(), "state", "active", "tenant", t.tenant()), sums[0])
                    .add(Labels.of("database", t.database(), "state", "waiting", "tenant", t.tenant()), sums[1]);
        }
        families.addAll(List.of(size, reserve, held, active, utilization, tenantClients));
    }

    private static void databaseGauges(ScrapeView view, List<Family> families) {
        Gauge circuit = Family.gauge("pgmux_database_upstream_circuit",
                "1 for the state the circuit breaker of the database's upstream is in (closed, open, half_open); "
                        + "no samples before pgmux first connects there.");
        Gauge ready = Family.gauge("pgmux_database_ready",
                "1 when the database counts as ready for /health/ready, else 0.");
        for (Readiness.DatabaseHealth each : view.readiness().databases()) {
            ready.add(Labels.of("database", each.name()), each.ready() ? 1 : 0);
            if (each.upstream() != null) {
                for (CircuitState state : CircuitState.values()) {
                    circuit.add(Labels.of("database", each.name(), "state", state.name().toLowerCase()),
                            each.upstream().circuit() == state ? 1 : 0);
                }
            }
        }
        Gauge serving = Family.gauge("pgmux_ready", "1 when /health/ready answers 200, else 0.")
                .add(Labels.EMPTY, view.readiness().ready() ? 1 : 0);
        families.addAll(List.of(circuit, ready, serving));
    }

    private static void counters(StatsSnapshot stats, List<Family> families) {
        for (CounterFamily each : COUNTERS) {
            Counter counter = Family.counter(each.name(), each.help());
            for (StatsSnapshot.Pool pool : stats.pools()) {
                counter.add(poolLabels(pool.database(), pool.user(), pool.tenant()), pool.totals().get(each.counter()));
            }
            families.add(counter);
        }
        for (HistogramFamily each : HISTOGRAMS) {
            Histogram histogram = Family.histogram(each.name(), each.help());
            for (StatsSnapshot.Pool pool : stats.pools()) {
                histogram.add(poolLabels(pool.database(), pool.user(), pool.tenant()),
                        pool.totals().histogram(each.latency()));
            }
            families.add(histogram);
        }
        Counter refused = Family.counter("pgmux_auth_failures", "Logins refused for a wrong password.");
        for (StatsSnapshot.AuthFailures each : stats.authFailures()) {
            refused.add(poolLabels(each.database(), each.user(), each.tenant()), each.count());
        }
        families.add(refused);
        Counter unknown = Family.counter("pgmux_auth_failures_unknown_user",
                "Logins refused because the user is not configured, per database.");
        stats.unknownUserLogins().forEach((database, count) -> unknown.add(Labels.of("database", database), count));
        families.add(unknown);
    }
}
