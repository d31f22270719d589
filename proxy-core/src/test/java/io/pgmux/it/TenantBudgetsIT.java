package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.runtime.UpstreamCheck;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tenant budgets against a database with 25 slots: five tenants (web, scripts shared by two roles, migrations, a
 * GUI, workers) under load hold every cap at once and nobody sees the database's "too many clients"; a tenant
 * with one client is not starved by a tenant with hundreds; budgets that over-commit the slots are reported.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TenantBudgetsIT {
    private static PostgresCluster cluster;
    private static final Map<String, String> ROLES = Map.of("web_role", "web_pw", "script_role", "script_pw",
            "seed_role", "seed_pw", "migrate_role", "migrate_pw", "gui_role", "gui_pw", "worker_role", "worker_pw");

    @BeforeAll
    static void startSmallDatabase() throws SQLException {
        cluster = PostgresCluster.start(PostgresCluster.Settings.defaults().withMaxConnections(25));
        for (Map.Entry<String, String> each : ROLES.entrySet()) {
            ClusterAdmin.ensureRole(cluster, each.getKey(), each.getValue());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ProxyFixture.Config budgetTable() {
        return ProxyFixture.config(cluster)
                .set("max_server_connections", "20")
                .set("query_wait_timeout", "30s")
                .set("max_client_connections", "2000")
                .databaseSetting(ProxyFixture.APP_DB, "max_connections", "16")
                .tenant("web", 8).tenantSetting("web", "reserve_pool_size", "2")
                .tenantSetting("web", "reserve_pool_timeout", "500ms").tenantSetting("web", "weight", "3")
                .tenant("scripts", 2).tenantSetting("scripts", "max_server_connections", "2")
                .tenant("gui", 2)
                .tenant("workers", 6)
                .tenant("migrations", 1)
                .user("web_role", "web_pw", "web")
                .user("script_role", "script_pw", "scripts")
                .user("seed_role", "seed_pw", "scripts")
                .user("migrate_role", "migrate_pw", "migrations")
                .user("gui_role", "gui_pw", "gui")
                .user("worker_role", "worker_pw", "workers");
    }

    /** Polls pg_stat_activity and keeps, per role and in total, the most backends ever seen at once. */
    private static final class Sampler implements AutoCloseable {
        final Map<String, Integer> maxByRole = new ConcurrentHashMap<>();
        final AtomicInteger maxTotal = new AtomicInteger();
        /** The scripts tenant's two roles together. */
        final AtomicInteger maxScripts = new AtomicInteger();
        final AtomicInteger samples = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Sampler() {
            thread = new Thread(() -> {
                try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
                    while (!stop.get()) {
                        int total = 0;
                        int scripts = 0;
                        try (ResultSet rs = st.executeQuery("select usename, count(*) from pg_stat_activity "
                                + "where datname = 'app' and backend_type = 'client backend' "
                                + "and pid <> pg_backend_pid() group by usename")) {
                            while (rs.next()) {
                                maxByRole.merge(rs.getString(1), rs.getInt(2), Math::max);
                                total += rs.getInt(2);
                                if (List.of("script_role", "seed_role").contains(rs.getString(1))) {
                                    scripts += rs.getInt(2);
                                }
                            }
                        }
                        maxTotal.accumulateAndGet(total, Math::max);
                        maxScripts.accumulateAndGet(scripts, Math::max);
                        samples.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "backend-sampler");
            thread.start();
        }

        int max(String role) {
            return maxByRole.getOrDefault(role, 0);
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void everyCapHoldsAtOnceUnderLoadAndNobodySeesTooManyClients() throws Exception {
        try (ProxyFixture proxy = budgetTable().start(); Sampler sampler = new Sampler()) {
            Map<String, Integer> clients = Map.of("web_role", 60, "script_role", 10, "seed_role", 10,
                    "migrate_role", 5, "gui_role", 10, "worker_role", 30);
            List<String> errors = new CopyOnWriteArrayList<>();
            AtomicInteger committed = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            List<Thread> threads = new java.util.ArrayList<>();
            clients.forEach((role, count) -> {
                for (int i = 0; i < count; i++) {
                    Thread t = new Thread(() -> {
                        try (Connection c = proxy.connect(role, ROLES.get(role), ProxyFixture.APP_DB)) {
                            c.setAutoCommit(false);
                            while (System.nanoTime() < deadline) {
                                try (Statement st = c.createStatement()) {
                                    st.execute("select pg_sleep(0.005)");
                                    c.commit();
                                    committed.incrementAndGet();
                                } catch (SQLException e) {
                                    errors.add(role + ": " + e.getSQLState() + " " + e.getMessage());
                                    return;
                                }
                            }
                        } catch (SQLException e) {
                            errors.add(role + " connect: " + e.getSQLState() + " " + e.getMessage());
                        }
                    });
                    threads.add(t);
                    t.start();
                }
            });
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertEquals(List.of(), errors.subList(0, Math.min(5, errors.size())));
            assertTrue(committed.get() > 500, "transactions committed: " + committed.get());
            assertTrue(sampler.samples.get() > 20, "samples: " + sampler.samples.get());
            assertTrue(sampler.max("web_role") <= 10, "web cap (pool 8 + reserve 2): " + sampler.maxByRole);
            assertTrue(sampler.maxScripts.get() <= 2, "scripts cap (two roles share it): " + sampler.maxScripts);
            assertTrue(sampler.max("migrate_role") <= 1, "migrations cap: " + sampler.maxByRole);
            assertTrue(sampler.max("gui_role") <= 2, "gui cap: " + sampler.maxByRole);
            assertTrue(sampler.max("worker_role") <= 6, "workers cap: " + sampler.maxByRole);
            assertTrue(sampler.maxTotal.get() <= 16, "database cap 16: " + sampler.maxTotal.get());
            for (String role : clients.keySet()) {
                assertTrue(sampler.max(role) > 0, role + " never got a server: " + sampler.maxByRole);
            }
        }
    }

    @Test
    void budgetsThatOverCommitTheDatabasesSlotsAreReportedWithTheBudgetTable() {
        PgmuxConfig fits = ConfigLoader.parse(budgetTable().yaml(), "fits.yaml", Map.of());
        UpstreamCheck.Result ok = new UpstreamCheck(fits).run().get(0);
        assertTrue(ok.reached() && ok.fits(), ok.report());
        assertTrue(ok.report().contains("max_connections 25 - superuser_reserved_connections 3 = 22"), ok.report());

        PgmuxConfig tooMuch = ConfigLoader.parse(budgetTable()
                .databaseSetting(ProxyFixture.APP_DB, "max_connections", "0")
                .set("max_server_connections", "0").tenantSetting("workers", "pool_size", "10").yaml(),
                "over.yaml", Map.of());
        UpstreamCheck.Result over = new UpstreamCheck(tooMuch).run().get(0);
        assertTrue(over.reached() && !over.fits(), over.report());
        // web 8 + 2 reserve, scripts 2, gui 2, workers 10, migrations 1: 25 connections for 22 slots
        assertTrue(over.report().contains("OVER-COMMITTED by 3"), over.report());
        for (String tenant : List.of("web", "scripts", "gui", "workers", "migrations")) {
            assertTrue(over.report().contains("tenant " + tenant + " on database app"), over.report());
        }
    }

    @Test
    void aTenantWithOneClientIsNotStarvedByATenantWithHundreds() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .set("max_client_connections", "2000")
                .set("query_wait_timeout", "60s")
                .databaseSetting(ProxyFixture.APP_DB, "max_connections", "4")
                .tenant("web", 10)
                .tenant("gui", 2)
                .user("web_role", "web_pw", "web")
                .user("gui_role", "gui_pw", "gui")
                .start()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> busy = new java.util.ArrayList<>();
            Properties noPrepare = new Properties();
            for (int i = 0; i < 500; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = proxy.connect("web_role", "web_pw", ProxyFixture.APP_DB, noPrepare);
                         Statement st = c.createStatement()) {
                        while (!stop.get()) {
                            st.execute("select pg_sleep(0.02)");
                        }
                    } catch (SQLException e) {
                        // connections refused at the end are fine; the assertion is about the other tenant
                    }
                });
                busy.add(t);
                t.start();
            }
            try (Connection gui = proxy.connect("gui_role", "gui_pw", ProxyFixture.APP_DB);
                 Statement st = gui.createStatement()) {
                io.pgmux.testing.Await.until(Duration.ofSeconds(30),
                        () -> proxy.pool(ProxyFixture.APP_DB, "web_role").snapshot().clientsWaiting() > 50,
                        "the busy tenant's clients queue up");
                long worst = 0;
                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    st.execute("select 1");
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                assertTrue(TimeUnit.NANOSECONDS.toMillis(worst) < 2000,
                        "the lone client's worst wait was " + TimeUnit.NANOSECONDS.toMillis(worst) + " ms");
            } finally {
                stop.set(true);
                for (Thread t : busy) {
                    t.join(30_000);
                }
            }
        }
    }
}
