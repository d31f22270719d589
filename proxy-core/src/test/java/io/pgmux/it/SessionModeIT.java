package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** pool_mode: session: a client keeps one server until it leaves, and the next client gets it clean. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionModeIT {
    private final PostgresCluster cluster;

    SessionModeIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture sessionProxy() {
        return ProxyFixture.config(cluster).poolSize(1).set("pool_mode", "session").set("query_wait_timeout", "5s")
                .start();
    }

    @Test
    void aSetSurvivesTransactionsAndTheNextClientOfTheServerDoesNotSeeIt() throws Exception {
        try (ProxyFixture proxy = sessionProxy()) {
            int pid;
            String standard;
            try (Connection a = proxy.connect()) {
                pid = Sql.pid(a);
                standard = Sql.one(a, "show work_mem");
                assertNotEquals("77MB", standard);
                Sql.exec(a, "set work_mem = '77MB'");
                Sql.exec(a, "create temporary table it_session_tmp (id int)");
                for (int i = 0; i < 3; i++) {
                    a.setAutoCommit(false);
                    Sql.exec(a, "insert into it_session_tmp values (" + i + ")");
                    assertEquals("77MB", Sql.one(a, "show work_mem"));
                    a.commit();
                    a.setAutoCommit(true);
                    assertEquals(pid, Sql.pid(a), "a session-mode client changed servers");
                }
                assertEquals("3", Sql.one(a, "select count(*) from it_session_tmp"));
            }
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1,
                    "the server to be reset and idle again");
            try (Connection b = proxy.connect()) {
                assertEquals(pid, Sql.pid(b), "pool_size 1: B must get A's server");
                assertEquals(standard, Sql.one(b, "show work_mem"), "DISCARD ALL should have reset work_mem");
                SQLException gone = assertThrows(SQLException.class,
                        () -> Sql.one(b, "select count(*) from it_session_tmp"));
                assertEquals("42P01", gone.getSQLState(), "A's temporary table survived into B's session");
            }
        }
    }

    @Test
    void notificationsReachAListeningSessionClientWhileItIsIdle() throws Exception {
        try (ProxyFixture proxy = sessionProxy();
             RawPgClient listener = proxy.rawLogin();
             Connection direct = cluster.connect("app", "app_user", "app_pw")) {
            assertEquals('I', Raw.command(listener, "listen it_channel"));
            Sql.exec(direct, "notify it_channel, 'hello'");
            BackendMessage notification = listener.expect('A');
            String body = new String(notification.body(), 4, notification.body().length - 4,
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("it_channel\u0000hello\u0000", body);
        }
    }

    @Test
    void namedPreparedStatementsWorkInSessionMode() throws Exception {
        Properties named = new Properties();
        named.setProperty("prepareThreshold", "1");
        try (ProxyFixture proxy = sessionProxy();
             Connection c = proxy.connect(named);
             PreparedStatement ps = c.prepareStatement("select ?::int * 2")) {
            for (int i = 0; i < 5; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(i * 2, rs.getInt(1));
                }
            }
        }
    }

    @Test
    void theNextClientGetsItsOwnStartupSettingsAfterDiscardAll() throws Exception {
        assertStartupSettingSurvivesReset(sessionProxy());
    }

    @Test
    void theNextClientGetsItsOwnStartupSettingsAfterAnotherResetQuery() throws Exception {
        assertStartupSettingSurvivesReset(ProxyFixture.config(cluster).poolSize(1).set("pool_mode", "session")
                .set("server_reset_query", "RESET ALL").set("query_wait_timeout", "5s").start());
    }

    private static void assertStartupSettingSurvivesReset(ProxyFixture fixture) throws Exception {
        Properties options = new Properties();
        options.setProperty("options", "-c statement_timeout=4321");
        try (ProxyFixture proxy = fixture) {
            int pid;
            try (Connection a = proxy.connect(options)) {
                pid = Sql.pid(a);
                assertEquals("4321ms", Sql.one(a, "show statement_timeout"));
            }
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1,
                    "the server to be reset and idle again");
            try (Connection b = proxy.connect(options)) {
                assertEquals(pid, Sql.pid(b), "pool_size 1: B must get A's server");
                assertEquals("4321ms", Sql.one(b, "show statement_timeout"),
                        "B asked for statement_timeout=4321 at startup");
            }
        }
    }

    @Test
    void aClientWaitingForTheOnlyServerGetsItWhenTheHolderLeaves() throws Exception {
        try (ProxyFixture proxy = sessionProxy();
             RawPgClient holder = proxy.rawLogin()) {
            int pid = Raw.pid(holder); // session mode: the holder keeps the only server from now on
            RawPgClient waiter = proxy.rawLogin();
            try (waiter) {
                waiter.query("select pg_backend_pid()");
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().clientsWaiting() == 1,
                        "the waiter to queue for the only server");
                holder.terminate();
                List<BackendMessage> reply = waiter.readUntilReady();
                assertEquals("TDCZ", Raw.types(reply), reply::toString);
                assertEquals(List.of(Integer.toString(pid)), reply.get(1).dataRowText());
            }
        }
    }
}
