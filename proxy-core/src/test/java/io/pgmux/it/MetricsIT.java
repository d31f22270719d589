package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.metrics.Promtool;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics and /health/ready of a running pgmux, scraped over HTTP while pgjdbc clients use it. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final String[] POOL = {"database", ProxyFixture.APP_DB, "tenant", ProxyFixture.DEFAULT_TENANT,
        "user", ProxyFixture.APP_USER};
    private static final String[] TENANT = {"database", ProxyFixture.APP_DB, "tenant", ProxyFixture.DEFAULT_TENANT};
    private final PostgresCluster cluster;

    MetricsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static String[] pool(String... more) {
        String[] all = new String[POOL.length + more.length];
        System.arraycopy(POOL, 0, all, 0, POOL.length);
        System.arraycopy(more, 0, all, POOL.length, more.length);
        return all;
    }

    /**
     * Six clients sleeping on a pool of two: four wait, the gauges show it (the tenant's utilization at 1), and the
     * counters move; once they are done, the tenant holds both servers and uses none.
     */
    @Test
    void countersHistogramsAndGaugesFollowTheLoad() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).set("metrics", "{pgbouncer_compat: true}")
                .start()) {
            try (Connection c = proxy.connect()) {
                assertEquals("1", Sql.one(c, "select 1"));
            }
            Scrape before = Scrape.metrics(proxy);
            double assignmentsBefore = before.value("pgmux_server_assignments_total", POOL);
            double receivedBefore = before.value("pgmux_received_bytes_total", POOL);
            double sentBefore = before.value("pgmux_sent_bytes_total", POOL);

            ExecutorService clients = Executors.newFixedThreadPool(6);
            List<Future<String>> sleeps = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    sleeps.add(clients.submit(() -> {
                        try (Connection c = proxy.connect()) {
                            return Sql.one(c, "select pg_sleep(0.6)::text");
                        }
                    }));
                }
                // One scrape that sees the clients waiting and both servers in use: between two sleepers a server
                // handed to a waiter on the other event loop is briefly neither active nor idle.
                Scrape[] seen = new Scrape[1];
                Await.untilChecked(Duration.ofSeconds(20), () -> {
                    Scrape now = Scrape.metrics(proxy);
                    seen[0] = now;
                    return now.value("pgmux_pool_client_connections", pool("state", "waiting")) >= 2
                            && now.value("pgbouncer_pools_client_waiting_connections", "database",
                                    ProxyFixture.APP_DB, "user", ProxyFixture.APP_USER) >= 2
                            && now.value("pgmux_pool_server_connections", pool("state", "active")) == 2
                            && now.value("pgmux_tenant_active_server_connections", TENANT) == 2;
                }, "/metrics to show clients waiting for the pool's two servers, both in use");
                Scrape busy = seen[0];
                assertEquals(2.0, busy.value("pgmux_pool_server_connections", pool("state", "active")));
                assertEquals(2.0, busy.value("pgmux_tenant_server_connections", TENANT));
                assertEquals(2.0, busy.value("pgmux_tenant_active_server_connections", TENANT));
                assertEquals(1.0, busy.value("pgmux_tenant_utilization_ratio", TENANT));
                assertTrue(busy.value("pgmux_pool_max_wait_seconds", POOL) > 0);
                for (Future<String> each : sleeps) {
                    assertEquals("", each.get(30, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
            // The burst is over: both servers stay open (idle until server_idle_timeout), neither is in use.
            Await.untilChecked(Duration.ofSeconds(20),
                    () -> Scrape.metrics(proxy).value("pgmux_tenant_active_server_connections", TENANT) == 0,
                    "/metrics to show none of the tenant's servers in use once its clients are done");
            Scrape idle = Scrape.metrics(proxy);
            assertEquals(2.0, idle.value("pgmux_tenant_server_connections", TENANT));
            assertEquals(0.0, idle.value("pgmux_tenant_utilization_ratio", TENANT));
            assertEquals(2.0, idle.value("pgmux_pool_server_connections", pool("state", "idle")));
            assertThrows(SQLException.class, () -> proxy.connect(ProxyFixture.APP_USER, "wrong", ProxyFixture.APP_DB)
                    .close());
            assertThrows(SQLException.class, () -> proxy.connect("nobody", "x", ProxyFixture.APP_DB).close());

            Scrape after = Scrape.metrics(proxy);
            assertTrue(after.value("pgmux_server_assignments_total", POOL) >= assignmentsBefore + 6,
                    "six more assignments");
            assertEquals(7.0, after.value("pgmux_client_logins_total", POOL), "the first client and the six sleepers");
            // The request path's counters: each client's statements ran in autocommit, one transaction each.
            assertTrue(after.value("pgmux_transactions_total", POOL) >= 7);
            assertTrue(after.value("pgmux_queries_total", POOL) >= 7);
            // Parses and binds count named statements only (StatsCountingIT); these ran under the unnamed one.
            assertTrue(after.value("pgmux_received_bytes_total", POOL) > receivedBefore + 6 * 20,
                    "six queries' text and more");
            assertTrue(after.value("pgmux_sent_bytes_total", POOL) > sentBefore + 6 * 20, "six results and more");
            assertTrue(after.value("pgmux_transaction_duration_seconds_count", POOL) >= 7);
            assertTrue(after.value("pgmux_query_duration_seconds_count", POOL) >= 7);
            // Six sleeps of 0.6 s, each timed from the moment it went to a server.
            assertTrue(after.value("pgmux_query_duration_seconds_sum", POOL) >= 6 * 0.6 - 0.1);
            assertTrue(after.value("pgmux_transaction_duration_seconds_sum", POOL) >= 6 * 0.6 - 0.1);
            assertTrue(after.value("pgmux_query_duration_seconds_count", POOL)
                    - after.value("pgmux_query_duration_seconds_bucket", pool("le", "0.5")) >= 6,
                    "the sleeps in the buckets above 0.5 s");
            assertEquals(2.0, after.value("pgmux_server_connects_total", POOL));
            assertEquals(1.0, after.value("pgmux_auth_failures_total", POOL));
            assertEquals(1.0, after.value("pgmux_auth_failures_unknown_user_total", "database", ProxyFixture.APP_DB));
            // At least two clients waited a sleep out (0.6 s): their waits are in the buckets above 0.5 s.
            double waits = after.value("pgmux_wait_duration_seconds_count", POOL);
            double quick = after.value("pgmux_wait_duration_seconds_bucket", pool("le", "0.5"));
            assertTrue(waits >= 7, "one observation per request for a server: " + waits);
            assertTrue(waits - quick >= 2, waits + " waits, " + quick + " of them up to 0.5 s");
            assertTrue(after.value("pgmux_wait_duration_seconds_sum", POOL) >= 1.0);
            assertEquals(after.value("pgmux_server_assignments_total", POOL),
                    after.value("pgbouncer_stats_totals_server_assignments_total", "database", ProxyFixture.APP_DB));
            assertTrue(after.value("pgbouncer_stats_totals_client_wait_seconds_total", "database",
                    ProxyFixture.APP_DB) >= 1.0);
            assertEquals(0.0, after.value("pgmux_pool_client_connections", pool("state", "waiting")));
            assertTrue(after.value("jvm_threads_live_threads") > 0);
            assertEquals(0.0, databaseGauge(after, "pgbouncer_databases_paused"));
            assertEquals(0.0, databaseGauge(after, "pgbouncer_databases_disabled"));
            Promtool.assertValid(after.body());
            proxy.server().control().pause(java.util.Optional.of(ProxyFixture.APP_DB))
                    .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            proxy.server().control().disable(ProxyFixture.APP_DB);
            Scrape held = Scrape.metrics(proxy);
            assertEquals(1.0, databaseGauge(held, "pgbouncer_databases_paused"));
            assertEquals(1.0, databaseGauge(held, "pgbouncer_databases_disabled"));
        }
    }

    /** The value of a pgbouncer_databases_* gauge for the app database, whatever its other labels. */
    private static double databaseGauge(Scrape scrape, String name) {
        return scrape.samples(name).entrySet().stream()
                .filter(e -> e.getKey().contains("name=" + ProxyFixture.APP_DB + ","))
                .mapToDouble(java.util.Map.Entry::getValue).findFirst().orElse(Double.NaN);
    }

    /**
     * A wrong password on the admin console is a failed password of that user, as on a pooled database
     * (PostgreSQL's 28P01 "password authentication failed for user"); an unknown user there is counted under the
     * console's database, not under the name of databases pgmux does not serve.
     */
    @Test
    void consoleLoginFailuresAreCountedByWhatFailed() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}").start()) {
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, "wrong", "pgmux").close());
            assertEquals("28P01", wrong.getSQLState(), wrong.toString());
            assertThrows(SQLException.class, () -> proxy.connect("nobody", "x", "pgmux").close());

            Scrape after = Scrape.metrics(proxy);
            assertEquals(1.0, after.value("pgmux_auth_failures_total", "database", "pgmux", "tenant",
                    ProxyFixture.DEFAULT_TENANT, "user", ProxyFixture.APP_USER), after.body());
            assertEquals(1.0, after.value("pgmux_auth_failures_unknown_user_total", "database", "pgmux"),
                    after.body());
            assertTrue(Double.isNaN(after.value("pgmux_auth_failures_unknown_user_total", "database",
                    "(not configured)")), after.body());
            Promtool.assertValid(after.body());
        }
    }

    /**
     * The upstream goes away (a relay in front of it closes every connection): once a client's attempt has opened
     * the circuit, with no server left there, /health/ready turns 503 and names the database, though the upstream
     * answered a moment before; when it comes back and a probe gets through, 200 again.
     */
    @Test
    void readinessFollowsTheUpstream() throws Exception {
        try (TcpRelay relay = new TcpRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = ProxyFixture.config(cluster)
                     .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port()))
                     .set("server_login_retry", "200ms").set("query_wait_timeout", "1s").start()) {
            Scrape ready = Scrape.get(proxy, "/health/ready");
            assertEquals(200, ready.status(), "no database used yet: nothing known to be wrong");
            assertTrue(ready.body().contains("\"circuit\":null"), ready.body());
            try (Connection c = proxy.connect()) {
                assertEquals("1", Sql.one(c, "select 1"));
            }
            ready = Scrape.get(proxy, "/health/ready");
            assertEquals(200, ready.status(), ready.body());
            assertTrue(ready.body().contains("\"circuit\":\"closed\""), ready.body());

            relay.cut();
            Scrape[] down = new Scrape[1];
            Await.untilChecked(Duration.ofSeconds(30), () -> {
                tryQuery(proxy);
                down[0] = Scrape.get(proxy, "/health/ready");
                return !down[0].body().contains("\"circuit\":\"closed\"");
            }, "a client's attempt to open the circuit with the upstream gone");
            assertEquals(503, down[0].status(), "no server left to serve: " + down[0].body());
            assertTrue(down[0].body().startsWith("{\"status\":\"not ready\",\"state\":\"serving\""),
                    down[0].body());
            assertTrue(down[0].body().contains("\"app\":{\"ready\":false"), down[0].body());
            assertTrue(down[0].body().contains("\"live_servers\":0"), down[0].body());
            Scrape metrics = Scrape.metrics(proxy);
            assertEquals(0.0, metrics.value("pgmux_ready"));
            assertEquals(0.0, metrics.value("pgmux_database_ready", "database", ProxyFixture.APP_DB));
            assertTrue(metrics.value("pgmux_server_connect_failures_total", POOL) >= 1);
            assertTrue(metrics.value("pgmux_circuit_opens_total", POOL) >= 1);
            assertTrue(metrics.value("pgmux_wait_timeouts_total", POOL) >= 1);
            assertEquals(200, Scrape.get(proxy, "/health/live").status(), "alive all the same");

            relay.restore();
            Await.untilChecked(Duration.ofSeconds(30), () -> {
                tryQuery(proxy);
                return Scrape.get(proxy, "/health/ready").status() == 200;
            }, "/health/ready to turn 200 once the upstream is back");
            assertTrue(Scrape.get(proxy, "/health/ready").body().contains("\"circuit\":\"closed\""));
        }
    }

    /** A client that needs a server, so that pgmux tries the upstream; its failure is expected here. */
    private static void tryQuery(ProxyFixture proxy) {
        try (Connection c = proxy.connect()) {
            Sql.one(c, "select 1");
        } catch (SQLException expected) {
            // the upstream is away: the wait times out, or the server dies under the query
        }
    }
}
