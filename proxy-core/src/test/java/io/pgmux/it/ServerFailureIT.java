package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Server connections that die under their clients, and clients that leave busy servers behind. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerFailureIT {
    private final PostgresCluster cluster;

    ServerFailureIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void aServerTerminatedMidQueryFailsOnlyItsClientAndThePoolReplacesIt() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection victim = proxy.connect();
             Connection bystander = proxy.connect();
             Statement st = victim.createStatement()) {
            int before = Sql.pid(bystander);
            CompletableFuture<Throwable> sleep = CompletableFuture.supplyAsync(() -> {
                try {
                    st.execute("select pg_sleep(30) /* it-terminate-jdbc */");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            int pid = awaitRunningPid("it-terminate-jdbc");
            assertEquals(before, pid, "pool_size 1: the victim runs on the only server");
            terminate(pid);
            Throwable error = sleep.get(10, TimeUnit.SECONDS);
            assertTrue(error instanceof SQLException, "the victim's query did not fail: " + error);
            String state = ((SQLException) error).getSQLState();
            assertTrue("57P01".equals(state) || state.startsWith("08"), "SQLSTATE " + state + ": " + error);
            assertFalse(victim.isValid(5), "the victim's connection should be closed");

            int after = Sql.pid(bystander);
            assertNotEquals(pid, after, "the bystander should get a new server");
            assertEquals("ok", Sql.one(bystander, "select 'ok'"));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0
                    && proxy.appSnapshot().serversIdle() == 1, "one idle replacement server");
        }
    }

    @Test
    void aRawClientSeesTheServersFatalErrorThenTheConnectionCloses() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient victim = proxy.rawLogin();
             RawPgClient bystander = proxy.rawLogin()) {
            victim.query("select pg_sleep(30) /* it-terminate-raw */");
            terminate(awaitRunningPid("it-terminate-raw"));
            BackendMessage message = victim.read();
            if (message.type() == 'T') {
                message = victim.read();
            }
            assertEquals('E', message.type(), message::toString);
            assertEquals("FATAL", message.errorField('S'));
            assertEquals("57P01", message.errorField('C'));
            assertTrue(victim.isClosedByPeer(Duration.ofSeconds(5)), "pgmux should close the victim's connection");
            assertEquals("1", Raw.queryOne(bystander, "select 1"));
        }
    }

    @Test
    void aFatalErrorTheServerSendsUnpromptedReachesTheClientInATransactionAndClosesIt() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient victim = proxy.rawLogin();
             RawPgClient next = proxy.rawLogin()) {
            assertEquals('T', Raw.command(victim, "begin"));
            assertEquals('T', Raw.command(victim, "set local idle_in_transaction_session_timeout = '300ms'"));
            // No request outstanding: PostgreSQL ends the idle transaction on its own, with a FATAL error.
            BackendMessage error = victim.read();
            assertEquals('E', error.type(), error::toString);
            assertEquals("FATAL", error.errorField('S'));
            assertEquals("25P03", error.errorField('C'));
            assertTrue(victim.isClosedByPeer(Duration.ofSeconds(5)));
            assertEquals("1", Raw.queryOne(next, "select 1"));
        }
    }

    @Test
    void aClientThatLeavesMidQueryDoesNotGetItsServerBackDirty() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient next = proxy.rawLogin()) {
            int pid;
            try (RawPgClient leaver = proxy.rawLogin()) {
                leaver.query("select pg_sleep(3) /* it-leave-busy */");
                pid = awaitRunningPid("it-leave-busy");
            }
            // The abandoned server is closed, not handed to the next client with a query still running.
            try {
                int replacement = Raw.pid(next);
                assertNotEquals(pid, replacement);
                assertEquals("ok", Raw.queryOne(next, "select 'ok'"));
            } finally {
                terminateAndAwaitExit(pid); // the abandoned backend must not linger into other tests
            }
        }
    }

    @Test
    void aServerAbandonedMidQueryIsCancelledSoTheDatabaseNeverHasMoreBackendsThanThePool() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient next = proxy.rawLogin()) {
            int pid;
            try (RawPgClient leaver = proxy.rawLogin()) {
                leaver.query("select pg_sleep(20) /* it-leave-orphan */");
                pid = awaitRunningPid("it-leave-orphan");
            }
            try {
                assertNotEquals(pid, Raw.pid(next));
                Await.untilChecked(Duration.ofSeconds(5), () -> !backendAlive(pid),
                        "the abandoned backend " + pid + " to stop (pool_size 1, yet it keeps running)");
            } finally {
                terminateAndAwaitExit(pid);
            }
        }
    }

    private boolean backendAlive(int pid) throws SQLException {
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("select 1 from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void terminateAndAwaitExit(int pid) throws SQLException {
        try (Connection su = cluster.superuser()) {
            Sql.one(su, "select pg_terminate_backend(" + pid + ")");
        }
        Await.untilChecked(Duration.ofSeconds(10), () -> !backendAlive(pid), "backend " + pid + " to exit");
    }

    private void terminate(int pid) throws SQLException {
        try (Connection su = cluster.superuser()) {
            assertEquals("t", Sql.one(su, "select pg_terminate_backend(" + pid + ")"));
        }
    }

    /** The pid of the backend running a query that contains {@code marker}, once it runs. */
    private int awaitRunningPid(String marker) throws SQLException {
        int[] pid = {0};
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("select pid from pg_stat_activity where state = 'active'"
                     + " and query like '%' || ? || '%' and pid <> pg_backend_pid()")) {
            ps.setString(1, marker);
            Await.untilChecked(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        pid[0] = rs.getInt(1);
                        return true;
                    }
                    return false;
                }
            }, "a query marked " + marker + " to run");
        }
        assertNotEquals(0, pid[0]);
        return pid[0];
    }

}
