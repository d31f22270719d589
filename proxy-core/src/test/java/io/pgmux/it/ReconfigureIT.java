package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A reload under load: while clients run transactions, one tenant's pool_size goes down, another's up, the
 * database's max_connections down, a database is added and one removed. No client sees an error, and the new
 * caps hold in pg_stat_activity once the servers beyond them have come back from their transactions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReconfigureIT {
    private static PostgresCluster cluster;
    private static final String OLD_DB = "reload_old";
    private static final String NEW_DB = "reload_new";

    @BeforeAll
    static void start() throws SQLException {
        cluster = PostgresCluster.start(PostgresCluster.Settings.defaults().withMaxConnections(40));
        ClusterAdmin.ensureRole(cluster, "web_role", "web_pw");
        ClusterAdmin.ensureRole(cluster, "worker_role", "worker_pw");
        ClusterAdmin.ensureDatabase(cluster, OLD_DB, "web_role");
        ClusterAdmin.ensureDatabase(cluster, NEW_DB, "web_role");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ProxyFixture.Config before() {
        return ProxyFixture.config(cluster)
                .set("max_client_connections", "1000")
                .set("query_wait_timeout", "30s")
                .databaseSetting(ProxyFixture.APP_DB, "max_connections", "8")
                .database(OLD_DB)
                .tenant("web", 4)
                .tenant("workers", 2)
                .user("web_role", "web_pw", "web")
                .user("worker_role", "worker_pw", "workers");
    }

    private static ProxyFixture.Config after() {
        return ProxyFixture.config(cluster)
                .set("max_client_connections", "1000")
                .set("query_wait_timeout", "30s")
                .databaseSetting(ProxyFixture.APP_DB, "max_connections", "6")
                .database(NEW_DB)
                .tenant("web", 2)
                .tenant("workers", 4)
                .user("web_role", "web_pw", "web")
                .user("worker_role", "worker_pw", "workers");
    }

    /** The most backends seen at once per "database/user", from the last {@link #reset}. */
    private static final class Sampler implements AutoCloseable {
        private final Map<String, Integer> max = new ConcurrentHashMap<>();
        private final AtomicInteger maxAppTotal = new AtomicInteger();
        private final AtomicInteger samples = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile Map<String, Integer> last = Map.of();

        Sampler() {
            thread = new Thread(() -> {
                try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
                    while (!stop.get()) {
                        Map<String, Integer> now = new ConcurrentHashMap<>();
                        int app = 0;
                        try (ResultSet rs = st.executeQuery("select datname, usename, count(*) from pg_stat_activity"
                                + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                                + " and usename in ('web_role', 'worker_role') group by datname, usename")) {
                            while (rs.next()) {
                                String key = rs.getString(1) + "/" + rs.getString(2);
                                now.put(key, rs.getInt(3));
                                max.merge(key, rs.getInt(3), Math::max);
                                if (ProxyFixture.APP_DB.equals(rs.getString(1))) {
                                    app += rs.getInt(3);
                                }
                            }
                        }
                        last = now;
                        maxAppTotal.accumulateAndGet(app, Math::max);
                        samples.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "backend-sampler");
            thread.start();
        }

        int max(String database, String user) {
            return max.getOrDefault(database + "/" + user, 0);
        }

        int now(String database, String user) {
            return last.getOrDefault(database + "/" + user, 0);
        }

        void reset() {
            max.clear();
            maxAppTotal.set(0);
            samples.set(0);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }

    /** Clients of one user and database running short transactions until stopped; errors and commits counted. */
    private static final class Load {
        final List<Thread> threads = new ArrayList<>();
        final AtomicInteger committed = new AtomicInteger();

        Load(ProxyFixture proxy, String user, String password, String database, int clients, AtomicBoolean stop,
             List<String> errors) {
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = proxy.connect(user, password, database)) {
                        c.setAutoCommit(false);
                        while (!stop.get()) {
                            try (Statement st = c.createStatement()) {
                                st.execute("select pg_sleep(0.005)");
                                c.commit();
                                committed.incrementAndGet();
                            }
                        }
                    } catch (SQLException e) {
                        errors.add(user + "@" + database + ": " + e.getSQLState() + " " + e.getMessage());
                    }
                }, user + "@" + database);
                threads.add(t);
                t.start();
            }
        }

        void join() throws InterruptedException {
            for (Thread each : threads) {
                each.join(30_000);
            }
        }
    }

    @Test
    void capsBudgetsAndDatabasesChangeUnderLoadAndNoClientSeesAnError() throws Exception {
        for (String each : List.of("web_role", "worker_role")) {
            ClusterAdmin.terminateStrayBackends(cluster, each);
        }
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (ProxyFixture proxy = before().start(); Sampler sampler = new Sampler()) {
            Load web = new Load(proxy, "web_role", "web_pw", ProxyFixture.APP_DB, 30, stop, errors);
            Load workers = new Load(proxy, "worker_role", "worker_pw", ProxyFixture.APP_DB, 20, stop, errors);
            Load old = new Load(proxy, "web_role", "web_pw", OLD_DB, 8, stop, errors);
            Await.until(Duration.ofSeconds(30), () -> web.committed.get() > 200 && workers.committed.get() > 100
                    && old.committed.get() > 50, "the load to get going");
            assertTrue(sampler.max(ProxyFixture.APP_DB, "web_role") <= 4, "web pool_size 4: " + sampler.max);
            assertTrue(sampler.max(ProxyFixture.APP_DB, "worker_role") <= 2, "workers pool_size 2: " + sampler.max);

            proxy.reconfigure(after());
            Load added = new Load(proxy, "web_role", "web_pw", NEW_DB, 8, stop, errors);

            // The servers beyond the new caps close as they come back from their transactions.
            Await.until(Duration.ofSeconds(20), () -> sampler.now(ProxyFixture.APP_DB, "web_role") <= 2
                    && sampler.now(ProxyFixture.APP_DB, "worker_role") > 2, "the new caps to take over");
            sampler.reset();
            int webBefore = web.committed.get();
            int workersBefore = workers.committed.get();
            int oldBefore = old.committed.get();
            Await.until(Duration.ofSeconds(30), () -> sampler.samples.get() > 30 && added.committed.get() > 50
                    && web.committed.get() > webBefore + 100 && workers.committed.get() > workersBefore + 100
                    && old.committed.get() > oldBefore + 20, "the load to go on under the new configuration");
            stop.set(true);
            for (Load each : List.of(web, workers, old, added)) {
                each.join();
            }
            assertEquals(List.of(), errors.subList(0, Math.min(5, errors.size())));
            assertTrue(sampler.max(ProxyFixture.APP_DB, "web_role") <= 2, "web pool_size 2: " + sampler.max);
            assertTrue(sampler.max(ProxyFixture.APP_DB, "worker_role") <= 4, "workers pool_size 4: " + sampler.max);
            assertTrue(sampler.maxAppTotal.get() <= 6, "app max_connections 6: " + sampler.maxAppTotal);
            assertTrue(sampler.max(NEW_DB, "web_role") <= 2, "web on the added database: " + sampler.max);
            assertTrue(sampler.max(NEW_DB, "web_role") > 0, "the added database is served: " + sampler.max);
        }
    }
}
