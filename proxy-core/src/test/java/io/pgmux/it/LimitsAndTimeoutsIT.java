package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolSnapshot;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.FaultyRelay;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Client and server limits and timers: max_client_connections, client_login_timeout, server_idle_timeout ... */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsAndTimeoutsIT {
    private final PostgresCluster cluster;

    LimitsAndTimeoutsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void maxClientConnectionsRefusesTheNextClientWith53300AndFailedLoginsDoNotUseItUp() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("max_client_connections", "2").start()) {
            for (int i = 0; i < 5; i++) {
                SQLException wrong = assertThrows(SQLException.class,
                        () -> proxy.connect(ProxyFixture.APP_USER, "wrong", "app").close());
                assertEquals("28P01", wrong.getSQLState());
            }
            for (int i = 0; i < 3; i++) {
                try (RawPgClient abandoned = proxy.raw()) {
                    abandoned.sendStartup(java.util.Map.of("user", ProxyFixture.APP_USER, "database", "app"));
                    assertEquals(10, abandoned.read().authCode()); // then leaves in the middle of SCRAM
                }
            }
            Await.until(Duration.ofSeconds(5), () -> proxy.server().services().clientCount() == 0,
                    "every failed or abandoned login to be forgotten");
            try (Connection a = proxy.connect(); Connection b = proxy.connect()) {
                SQLException full = assertThrows(SQLException.class, () -> proxy.connect().close());
                assertEquals("53300", full.getSQLState(), full.toString());
                assertEquals("1", Sql.one(a, "select 1"));
                assertEquals("2", Sql.one(b, "select 2"));
            }
            Await.until(Duration.ofSeconds(5), () -> proxy.server().services().clientCount() == 0,
                    "the two clients to be counted out");
            try (Connection again = proxy.connect()) {
                assertEquals("3", Sql.one(again, "select 3"));
            }
        }
    }

    @Test
    void queryWaitTimeoutFailsAWaitingClientWith53300AndTheHolderIsUnaffected() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_timeout", "2s").start();
             RawPgClient holder = proxy.rawLogin();
             RawPgClient waiter = proxy.rawLogin()) {
            assertEquals('T', Raw.command(holder, "begin"));
            int pid = Raw.pid(holder);
            long start = System.nanoTime();
            waiter.query("select 1");
            Raw.expectFatal(waiter, "53300");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 1900 && millis < 5000, "waited " + millis + " ms for a 2s query_wait_timeout");
            assertTrue(waiter.isClosedByPeer(Duration.ofSeconds(5)));
            assertEquals(0, proxy.appSnapshot().clientsWaiting());
            assertEquals(pid, Raw.pid(holder));
            assertEquals('I', Raw.command(holder, "commit"));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1,
                    "the server to be idle, not handed to the client that gave up");
        }
    }

    @Test
    void queryWaitNotifyTellsAClientThatWaitsLongerButNotOneServedSooner() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_notify", "1s").start();
             RawPgClient holder = proxy.rawLogin();
             RawPgClient waiter = proxy.rawLogin()) {
            assertEquals('T', Raw.command(holder, "begin"));
            long start = System.nanoTime();
            waiter.query("select 1");
            BackendMessage notice = waiter.read();
            long noticedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals('N', notice.type(), notice::toString);
            assertTrue(noticedAfter >= 1000 && noticedAfter < 4000, "notified after " + noticedAfter + " ms");
            assertEquals('I', Raw.command(holder, "commit"));
            assertTrue(waiter.readUntilReady().stream().noneMatch(m -> m.type() == 'E' || m.type() == 'N'));

            assertEquals('T', Raw.command(holder, "begin"));
            waiter.query("select 2");
            Thread.sleep(300); // a wait shorter than query_wait_notify is what is under test
            assertEquals('I', Raw.command(holder, "commit"));
            List<BackendMessage> reply = waiter.readUntilReady();
            assertTrue(reply.stream().noneMatch(m -> m.type() == 'N'), () -> "a short wait was notified: " + reply);
        }
    }

    @Test
    void aClientWaitingWhileTheDatabaseIsUnreachableIsToldSoNotThatConnectionsAreBusy() throws Exception {
        FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_notify", "500ms")
                .set("query_wait_timeout", "3s")
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port())).start();
             RawPgClient waiter = proxy.rawLogin()) {
            waiter.query("select 1");
            assertTrue(waiter.readUntilReady().stream().noneMatch(m -> m.type() == 'E'));
            relay.close(); // resets the pool's server and refuses new connections
            // Gone in every state: right after the client read its ReadyForQuery the server may still count as
            // active (its release runs after the flush), and an idle count of 0 would pass before the reset is seen.
            Await.until(Duration.ofSeconds(10), () -> {
                PoolSnapshot pool = proxy.appSnapshot();
                return pool.serversIdle() + pool.serversActive() + pool.serversOpening() + pool.serversTested() == 0;
            }, "the pool to see its server gone");
            waiter.query("select 2");
            BackendMessage notice = waiter.expect('N');
            assertTrue(notice.errorField('M').contains("pgmux cannot reach the database at 127.0.0.1:" + relay.port()),
                    notice::toString);
            BackendMessage fatal = waiter.expect('E');
            assertEquals("57P03", fatal.errorField('C'), fatal::toString);
        } finally {
            relay.close();
        }
    }

    @Test
    void aClientWaitingWhileTheDatabaseGivesNoAnswerIsToldPgmuxIsConnecting() throws Exception {
        // A frozen database (SIGSTOP): connections are accepted and logins get no answer.
        FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_notify", "500ms")
                .set("query_wait_timeout", "3s").set("server_connect_timeout", "20s")
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port())).start();
             RawPgClient waiter = proxy.rawLogin()) {
            waiter.query("select 1");
            assertTrue(waiter.readUntilReady().stream().noneMatch(m -> m.type() == 'E'));
            relay.blackHole();
            relay.reset();
            Await.until(Duration.ofSeconds(10), () -> {
                PoolSnapshot pool = proxy.appSnapshot();
                return pool.serversIdle() + pool.serversActive() + pool.serversOpening() + pool.serversTested() == 0;
            }, "the pool to see its server gone");
            waiter.query("select 2");
            BackendMessage notice = waiter.expect('N');
            assertTrue(notice.errorField('M').endsWith("; pgmux is connecting to the database at 127.0.0.1:"
                    + relay.port() + ", which has not answered yet"), notice::toString);
            BackendMessage fatal = waiter.expect('E');
            assertEquals("57P03", fatal.errorField('C'), fatal::toString);
            assertTrue(fatal.errorField('M').contains("has not answered pgmux's login yet"), fatal::toString);
        } finally {
            relay.close();
        }
    }

    @Test
    void aClientWaitingWhileTheDatabaseRefusesIsToldTheRefusalNotThatItCannotBeReached() throws Exception {
        String role = "refused_role";
        ClusterAdmin.ensureRole(cluster, role, "refused_pw");
        FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
        try (ProxyFixture proxy = ProxyFixture.config(cluster).tenant("refused", 1).user(role, "refused_pw", "refused")
                .set("query_wait_notify", "500ms").set("query_wait_timeout", "3s")
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port())).start();
             RawPgClient waiter = proxy.raw()) {
            waiter.login(role, ProxyFixture.APP_DB, "refused_pw", java.util.Map.of());
            waiter.query("select 1");
            assertTrue(waiter.readUntilReady().stream().noneMatch(m -> m.type() == 'E'));
            connectionLimit(role, 0);
            relay.reset();
            Await.until(Duration.ofSeconds(10), () -> {
                PoolSnapshot pool = proxy.snapshot(ProxyFixture.APP_DB, role);
                return pool.serversIdle() + pool.serversActive() + pool.serversOpening() + pool.serversTested() == 0;
            }, "the pool to see its server gone");
            waiter.query("select 2");
            BackendMessage notice = waiter.expect('N');
            assertTrue(notice.errorField('M').contains("the database at 127.0.0.1:" + relay.port() + " answers but"
                    + " refuses pgmux's connections (53300 too many connections for role \"" + role + "\")"),
                    notice::toString);
            BackendMessage fatal = waiter.expect('E');
            assertEquals("57P03", fatal.errorField('C'), fatal::toString);
            assertTrue(fatal.errorField('M').contains("refused pgmux's login with 53300"), fatal::toString);
        } finally {
            connectionLimit(role, -1);
            relay.close();
        }
    }

    private void connectionLimit(String role, int limit) throws SQLException {
        try (Connection c = cluster.superuser(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + role + " CONNECTION LIMIT " + limit);
        }
    }

    @Test
    void clientLoginTimeoutClosesAClientThatNeverLogsIn() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("client_login_timeout", "1s").start();
             RawPgClient silent = proxy.raw();
             RawPgClient halfway = proxy.raw()) {
            long start = System.nanoTime();
            halfway.sendStartup(java.util.Map.of("user", ProxyFixture.APP_USER, "database", "app"));
            assertEquals(10, halfway.read().authCode());
            assertTrue(silent.isClosedByPeer(Duration.ofSeconds(5)), "a silent client was not closed");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(closedAfter >= 900, "closed after " + closedAfter + " ms, before client_login_timeout");
            Raw.expectFatal(halfway, "08P01");
            assertTrue(halfway.isClosedByPeer(Duration.ofSeconds(5)), "a client stuck in SCRAM was not closed");
        }
    }

    @Test
    void serverIdleTimeoutClosesIdleServersAndTheNextQueryOpensANewOne() throws Exception {
        ClusterAdmin.terminateStrayBackends(cluster, "app_user");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("server_idle_timeout", "1s").start();
             Connection c = proxy.connect()) {
            int first = Sql.pid(c);
            Await.untilChecked(Duration.ofSeconds(10), () -> cluster.countBackends("app", "app_user") == 0,
                    "the idle server to be closed after server_idle_timeout");
            assertEquals(0, proxy.appSnapshot().serversIdle());
            int second = Sql.pid(c);
            assertNotEquals(first, second);
        }
    }

    @Test
    void aQueryFollowedByTerminateInOneWriteRunsWhenAServerIsFree() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_fire_and_forget",
                "create table it_fire_and_forget (id int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             Connection direct = cluster.connect("app", "app_user", "app_pw")) {
            new Wire().query("insert into it_fire_and_forget values (1)").message('X', new byte[0]).sendTo(client);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
            Await.untilChecked(Duration.ofSeconds(5),
                    () -> "1".equals(Sql.one(direct, "select count(*) from it_fire_and_forget")),
                    "the insert sent just before Terminate to be committed");
        }
    }

    @Test
    void aQueryFollowedByTerminateInOneWriteRunsEvenWhenItMustWaitForAServer() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_fire_and_forget2",
                "create table it_fire_and_forget2 (id int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient holder = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin();
             Connection direct = cluster.connect("app", "app_user", "app_pw")) {
            assertEquals('T', Raw.command(holder, "begin")); // holds the only server
            assertEquals("1", Raw.queryOne(holder, "select 1"));
            new Wire().query("insert into it_fire_and_forget2 values (1)").message('X', new byte[0]).sendTo(client);
            // The client stays queued (its socket open) until a server runs what it sent before Terminate.
            assertEquals('I', Raw.command(holder, "commit"));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
            Await.untilChecked(Duration.ofSeconds(5),
                    () -> "1".equals(Sql.one(direct, "select count(*) from it_fire_and_forget2")),
                    "the insert sent just before Terminate to be committed");
        }
    }

    @Test
    void aClientThatKeepsSendingWhileItWaitsIsPausedNotBuffered() throws Exception {
        // Large parameters rather than large SQL texts: the answers stay small, and the SQL scan does not slow the
        // test down under paranoid leak detection.
        int queries = 400;
        Wire flood = new Wire();
        String padding = "x".repeat(100_000);
        for (int i = 0; i < queries; i++) {
            flood.parse("", "select $1::text || length($2::text)").bind("", "", Integer.toString(i), padding)
                    .execute("").sync();
        }
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient holder = proxy.rawLogin();
             RawPgClient flooder = proxy.rawLogin()) {
            assertEquals('T', Raw.command(holder, "begin")); // holds the only server
            Future<?> sending = sender.submit(() -> flood.sendTo(flooder));
            // 40 MB is more than the socket buffers hold: the write can finish only if pgmux keeps reading.
            assertThrows(TimeoutException.class, () -> sending.get(2, TimeUnit.SECONDS),
                    "pgmux went on reading from a client that waits for a server");
            assertEquals('I', Raw.command(holder, "commit"));
            sending.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < queries; i++) {
                List<BackendMessage> reply = flooder.readUntilReady();
                assertEquals(List.of(i + "100000"), reply.get(2).dataRowText(), reply::toString);
            }
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void anAnswerLargerThanMaxMessageSizeFailsOnlyThatClient() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).set("max_message_size", "1kB").start();
             RawPgClient big = proxy.rawLogin();
             RawPgClient bystander = proxy.rawLogin()) {
            big.query("select repeat('z', 4000)");
            BackendMessage message = big.read();
            if (message.type() == 'T') {
                message = big.read();
            }
            assertEquals('E', message.type(), message::toString);
            assertEquals("FATAL", message.errorField('S'), message::toString);
            assertTrue(big.isClosedByPeer(Duration.ofSeconds(5)));
            assertEquals("small", Raw.queryOne(bystander, "select 'small'"));
        }
    }
}
