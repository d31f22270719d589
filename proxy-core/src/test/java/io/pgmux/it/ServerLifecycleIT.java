package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The life of server connections: the reserve pool, min_pool_size, server_lifetime, server_idle_timeout,
 * server_check_query and server_connect_timeout, each shown firing and not firing early. A role of its own keeps the backend counts free
 * of other tests' connections.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerLifecycleIT {
    private static final String ROLE = "lifecycle_role";
    private static final String PASSWORD = "lifecycle_pw";
    private static final long SLACK_MILLIS = 2500;
    private final PostgresCluster cluster;

    ServerLifecycleIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void cleanRole() throws SQLException {
        ClusterAdmin.ensureRole(cluster, ROLE, PASSWORD);
        cluster.terminateBackends(ProxyFixture.APP_DB, ROLE);
    }

    private ProxyFixture.Config config(int poolSize) {
        return ProxyFixture.config(cluster).tenant("t", poolSize).user(ROLE, PASSWORD, "t");
    }

    private ProxyFixture start(ProxyFixture.Config config) {
        return config.start();
    }

    private Connection connect(ProxyFixture proxy) throws SQLException {
        return proxy.connect(ROLE, PASSWORD, ProxyFixture.APP_DB);
    }

    private int backends() throws SQLException {
        return cluster.countBackends(ProxyFixture.APP_DB, ROLE);
    }

    @Test
    void theReservePoolOpensOnlyAfterAClientHasWaitedReservePoolTimeout() throws Exception {
        long reserveMillis = 1500;
        try (ProxyFixture proxy = start(config(2).tenantSetting("t", "reserve_pool_size", "1")
                .tenantSetting("t", "reserve_pool_timeout", reserveMillis + "ms"));
             Connection first = connect(proxy); Connection second = connect(proxy); Connection third = connect(proxy)) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            Sql.exec(first, "select 1");
            Sql.exec(second, "select 1");
            assertEquals(2, backends(), "two open transactions hold the pool's two servers");
            long start = System.nanoTime();
            int pid = Sql.pid(third);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= reserveMillis, "the reserve opened after " + waited + " ms, before "
                    + reserveMillis + " ms");
            assertTrue(waited < reserveMillis + SLACK_MILLIS, "the reserve took " + waited + " ms");
            assertEquals(3, backends());
            assertTrue(pid > 0);
        }
    }

    @Test
    void minPoolSizeConnectionsAreOpenedAndReplacedWhenTheyDie() throws Exception {
        try (ProxyFixture proxy = start(config(4).tenantSetting("t", "min_pool_size", "3"));
             Connection c = connect(proxy)) {
            Sql.exec(c, "select 1");
            // A backend shows in pg_stat_activity before its login has finished at pgmux: wait for both.
            Await.untilChecked(Duration.ofSeconds(10), () -> backends() == 3
                    && proxy.snapshot(ProxyFixture.APP_DB, ROLE).serversIdle() == 3, "min_pool_size 3 servers to open");
            assertEquals(3, backends(), "no more than min_pool_size opened");
            cluster.terminateBackends(ProxyFixture.APP_DB, ROLE);
            Await.untilChecked(Duration.ofSeconds(10), () -> backends() == 3,
                    "min_pool_size servers to be opened again after theirs were terminated");
            assertEquals("1", Sql.one(c, "select 1"));
            assertEquals(3, backends(), "no more than min_pool_size are kept while one client runs one query");
        }
    }

    @Test
    void serverLifetimeRetiresAServerOnceItIsOldAndNotBefore() throws Exception {
        long lifetimeMillis = 2000;
        try (ProxyFixture proxy = start(config(1).set("server_lifetime", lifetimeMillis + "ms"));
             Connection c = connect(proxy)) {
            long start = System.nanoTime();
            int first = Sql.pid(c);
            int[] now = {first};
            Await.untilChecked(Duration.ofMillis(lifetimeMillis + 5000), () -> (now[0] = Sql.pid(c)) != first,
                    "a new server once the first is older than server_lifetime");
            long replacedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(replacedAfter >= lifetimeMillis, "replaced after " + replacedAfter + " ms");
            assertTrue(replacedAfter < lifetimeMillis + SLACK_MILLIS, "replaced only after " + replacedAfter + " ms");
            assertNotEquals(first, now[0]);
        }
    }

    @Test
    void serverIdleTimeoutClosesAnIdleServerNotBeforeItsTime() throws Exception {
        long idleMillis = 1500;
        try (ProxyFixture proxy = start(config(1).set("server_idle_timeout", idleMillis + "ms"));
             Connection c = connect(proxy)) {
            Sql.exec(c, "select 1");
            long lastUse = System.nanoTime();
            Await.untilChecked(Duration.ofMillis(idleMillis + 5000), () -> backends() == 0,
                    "the idle server to be closed");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastUse);
            assertTrue(closedAfter >= idleMillis, "closed after " + closedAfter + " ms idle");
            assertEquals("1", Sql.one(c, "select 1"), "the next query opens a new server");
        }
    }

    @Test
    void aServerFailingTheCheckQueryIsReplacedWithoutTheClientNoticing() throws Exception {
        try (ProxyFixture proxy = start(config(2).set("server_check_delay", "0")
                .set("server_check_query", "'select 1/0'"));
             Connection c = connect(proxy)) {
            int first = Sql.pid(c);
            int second = Sql.pid(c);
            assertNotEquals(first, second, "the server that failed its check was not reused");
            Await.untilChecked(Duration.ofSeconds(5), () -> backends() == 1, "the failed server to be closed");
        }
    }

    @Test
    void theCheckQueryRunsOnlyOnServersUnusedForServerCheckDelay() throws Exception {
        long delayMillis = 1000;
        ClusterAdmin.appDdl(cluster, "create table if not exists server_checks (at timestamptz default now())",
                "truncate server_checks", "grant insert on server_checks to " + ROLE);
        try (ProxyFixture proxy = start(config(1).set("server_check_delay", delayMillis + "ms")
                .set("server_check_query", "'insert into server_checks default values'"));
             Connection c = connect(proxy)) {
            int pid = Sql.pid(c);
            for (int i = 0; i < 5; i++) {
                assertEquals(pid, Sql.pid(c));
            }
            assertEquals(0, checksRun(), "a server in steady use is not checked");
            Thread.sleep(delayMillis + 200); // the passing of server_check_delay is what is under test
            assertEquals(pid, Sql.pid(c), "a server that passes its check is reused");
            assertEquals(1, checksRun(), "a server unused for server_check_delay is checked once");
        }
    }

    @Test
    void serverConnectTimeoutGivesUpOnALoginTheDatabaseNeverFinishes() throws Exception {
        long timeoutMillis = 1000;
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> givenUpAfter = new CompletableFuture<>();
            Thread listener = new Thread(() -> {
                try (Socket login = silent.accept()) {
                    DataInputStream in = new DataInputStream(login.getInputStream());
                    in.readFully(new byte[in.readInt() - 4]); // the StartupMessage, never answered
                    long accepted = System.nanoTime();
                    in.read(); // blocks until pgmux says Terminate or closes
                    givenUpAfter.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - accepted));
                } catch (IOException e) {
                    givenUpAfter.completeExceptionally(e);
                }
            }, "silent-database");
            listener.start();
            try (ProxyFixture proxy = start(config(1).set("server_connect_timeout", timeoutMillis + "ms")
                    .set("query_wait_timeout", "3s")
                    .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(silent.getLocalPort())))) {
                // The first client of a pool waits for a server's welcome before its own login completes.
                SQLException error = assertThrows(SQLException.class, () -> connect(proxy).close());
                assertEquals("57P03", error.getSQLState(), error.getMessage());
                assertTrue(error.getMessage().contains("server_connect_timeout"), error.getMessage());
                long after = givenUpAfter.get(10, TimeUnit.SECONDS);
                assertTrue(after >= timeoutMillis - 100, "gave up on the login after " + after + " ms");
                assertTrue(after < timeoutMillis + SLACK_MILLIS, "gave up on the login only after " + after + " ms");
            }
        }
    }

    @Test
    void aDatabaseNothingListensOnIsNamedConnectionRefusedInPlainWords() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (ProxyFixture proxy = start(config(1).set("query_wait_timeout", "2s")
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(closed)))) {
            SQLException error = assertThrows(SQLException.class, () -> connect(proxy).close());
            assertEquals("57P03", error.getSQLState(), error.getMessage());
            // Neither the transport's system call nor the address a second time: the reason, as libpq gives it.
            assertTrue(error.getMessage().contains("could not connect to the database at 127.0.0.1:" + closed
                    + ": Connection refused"), error.getMessage());
            assertFalse(error.getMessage().contains("failed with error"), error.getMessage());
            assertFalse(error.getMessage().contains("/127.0.0.1"), error.getMessage());
        }
    }

    private int checksRun() throws SQLException {
        try (Connection direct = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD)) {
            return Integer.parseInt(Sql.one(direct, "select count(*) from server_checks"));
        }
    }
}
