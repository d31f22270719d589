package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many pgjdbc clients on few server connections: every answer reaches the client that asked, and the server
 * connections never exceed the tenant, database or global budget, as PostgreSQL itself counts them.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolCapsIT {
    private final PostgresCluster cluster;

    PoolCapsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void twoHundredClientsShareFiveServersInTransactionModeAndEachGetsItsOwnAnswers() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_caps_tx",
                "create table it_caps_tx (client int not null, n int not null)");
        int clients = 200;
        int transactions = 20;
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(5).start();
             BackendSampler sampler = BackendSampler.of(cluster, "app_user").database("app").start()) {
            List<Throwable> failures = Sql.concurrently(clients, Duration.ofSeconds(90), id -> {
                try (Connection c = proxy.connect()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement insert = c.prepareStatement("insert into it_caps_tx values (?, ?)");
                         PreparedStatement read = c.prepareStatement("select client, n, count(*) over ()"
                                 + " from it_caps_tx where client = ? order by n desc limit 1")) {
                        for (int n = 0; n < transactions; n++) {
                            insert.setInt(1, id);
                            insert.setInt(2, n);
                            assertEquals(1, insert.executeUpdate());
                            read.setInt(1, id);
                            try (ResultSet rs = read.executeQuery()) {
                                assertTrue(rs.next(), "client " + id + " sees no row of its own");
                                assertEquals(id, rs.getInt(1), "client id");
                                assertEquals(n, rs.getInt(2), "latest n of client " + id);
                                assertEquals(n + 1, rs.getInt(3), "rows of client " + id);
                            }
                            c.commit();
                        }
                    }
                }
            });
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
            assertTrue(sampler.samples() > 0, "the sampler took no sample");
            assertTrue(sampler.max() <= 5, "app_user had " + sampler.max() + " backends; pool_size is 5");
            assertTrue(sampler.max() >= 1, "the sampler never saw a pgmux backend");
        }
        try (Connection direct = cluster.connect("app", "app_user", "app_pw")) {
            assertEquals(Integer.toString(clients * transactions), Sql.one(direct, "select count(*) from it_caps_tx"));
        }
    }

    @Test
    void databaseMaxConnectionsCapsTheServersOfAllUsersOfThatDatabase() throws Exception {
        ClusterAdmin.ensureRole(cluster, "cap_a", "cap_a_pw");
        ClusterAdmin.ensureRole(cluster, "cap_b", "cap_b_pw");
        ProxyFixture.Config config = ProxyFixture.config(cluster)
                .tenant("ta", 3).tenant("tb", 3)
                .user("cap_a", "cap_a_pw", "ta").user("cap_b", "cap_b_pw", "tb")
                .databaseSetting("app", "max_connections", "3");
        try (ProxyFixture proxy = config.start();
             BackendSampler sampler = BackendSampler.of(cluster, "cap_a", "cap_b").database("app").start()) {
            List<Throwable> failures = Sql.concurrently(60, Duration.ofSeconds(60), id -> {
                String user = id % 2 == 0 ? "cap_a" : "cap_b";
                echoQueries(proxy.connect(user, user + "_pw", "app"), id, 10);
            });
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
            assertTrue(sampler.max() <= 3, "cap_a and cap_b had " + sampler.max()
                    + " backends on app; databases.app.max_connections is 3");
        }
    }

    @Test
    void globalMaxServerConnectionsCapsTheServersAcrossDatabases() throws Exception {
        ClusterAdmin.ensureDatabase(cluster, "app2", "app_user");
        ProxyFixture.Config config = ProxyFixture.config(cluster)
                .poolSize(3)
                .database("app2")
                .set("max_server_connections", "3");
        try (ProxyFixture proxy = config.start();
             BackendSampler sampler = BackendSampler.of(cluster, "app_user").start()) {
            List<Throwable> failures = Sql.concurrently(60, Duration.ofSeconds(60), id -> {
                String database = id % 2 == 0 ? "app" : "app2";
                echoQueries(proxy.connect("app_user", "app_pw", database), id, 10);
            });
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
            assertTrue(sampler.max() <= 3, "app_user had " + sampler.max()
                    + " backends on app and app2; max_server_connections is 3");
        }
    }

    @Test
    void aBusyUserCannotStarveAnotherUserOfTheSameDatabaseCap() throws Exception {
        ClusterAdmin.ensureRole(cluster, "cap_a", "cap_a_pw");
        ClusterAdmin.ensureRole(cluster, "cap_b", "cap_b_pw");
        ProxyFixture.Config config = ProxyFixture.config(cluster)
                .tenant("ta", 2).tenant("tb", 2)
                .user("cap_a", "cap_a_pw", "ta").user("cap_b", "cap_b_pw", "tb")
                .databaseSetting("app", "max_connections", "2")
                .set("query_wait_timeout", "3s");
        try (ProxyFixture proxy = config.start()) {
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<List<Throwable>> busy = CompletableFuture.supplyAsync(() -> {
                try {
                    return Sql.concurrently(8, Duration.ofSeconds(30), id -> {
                        try (Connection c = proxy.connect("cap_a", "cap_a_pw", "app")) {
                            while (!stop.get()) {
                                Sql.one(c, "select pg_sleep(0.01)");
                            }
                        }
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Throwable bFailure = null;
            long millis;
            try {
                Await.until(Duration.ofSeconds(10), () -> proxy.pools().pools().stream().anyMatch(
                        p -> p.key().user().equals("cap_a") && p.snapshot().clientsWaiting() > 0),
                        "cap_a to queue for servers");
                long start = System.nanoTime();
                try (Connection b = proxy.connect("cap_b", "cap_b_pw", "app")) {
                    assertEquals("b", Sql.one(b, "select 'b'"));
                } catch (SQLException e) {
                    bFailure = e;
                }
                millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } finally {
                stop.set(true);
            }
            List<Throwable> failures = busy.get(30, TimeUnit.SECONDS);
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
            assertNull(bFailure, () -> "cap_b failed after " + millis + " ms while cap_a kept the cap busy");
        }
    }

    /** Autocommit queries that echo the client's own id back; closes the connection. */
    private static void echoQueries(Connection connection, int id, int count) throws Exception {
        try (Connection c = connection;
             PreparedStatement echo = c.prepareStatement("select ?::int, pg_backend_pid()")) {
            for (int i = 0; i < count; i++) {
                echo.setInt(1, id * 1000 + i);
                try (ResultSet rs = echo.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(id * 1000 + i, rs.getInt(1));
                }
            }
        }
    }
}
