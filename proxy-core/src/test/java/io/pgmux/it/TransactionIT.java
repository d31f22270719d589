package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transaction pooling: a server belongs to a client from BEGIN to COMMIT/ROLLBACK, and only then. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionIT {
    private final PostgresCluster cluster;

    TransactionIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void anErrorInsideATransactionKeepsTheSameServerAndOtherClientsAreUnaffected() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            assertEquals('T', Raw.command(client, "begin"));
            assertEquals('T', Raw.command(client, "savepoint before_error"));
            int pid = Raw.pid(client);

            client.query("select 1 / 0");
            assertEquals("22012", client.expect('E').errorField('C'));
            assertEquals('E', client.expect('Z').readyStatus());
            assertEquals(1, proxy.appSnapshot().serversActive(), "the failed transaction must keep its server");

            for (int i = 0; i < 5; i++) {
                assertNotEquals(pid, Raw.pid(other), "another client got the server of a failed transaction");
            }

            client.query("select 1");
            assertEquals("25P02", client.expect('E').errorField('C'));
            assertEquals('E', client.expect('Z').readyStatus());
            assertEquals('T', Raw.command(client, "rollback to savepoint before_error"));
            assertEquals(pid, Raw.pid(client), "the transaction moved to another server");
            assertEquals('I', Raw.command(client, "rollback"));
            assertEquals("1", Raw.queryOne(client, "select 1"));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "both servers back in the pool");
        }
    }

    @Test
    void pgjdbcRecoversFromAnErrorInATransactionWithRollback() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection c = proxy.connect()) {
            c.setAutoCommit(false);
            int pid = Sql.pid(c);
            SQLException error = assertThrows(SQLException.class, () -> Sql.one(c, "select 1 / 0"));
            assertEquals("22012", error.getSQLState());
            SQLException aborted = assertThrows(SQLException.class, () -> Sql.one(c, "select 1"));
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            assertEquals(pid, Sql.pid(c), "pool_size 1: the same server after the rollback");
            c.commit();
            c.setAutoCommit(true);
            assertEquals("ok", Sql.one(c, "select 'ok'"));
        }
    }

    @Test
    void withOneServerAClientInATransactionMakesTheNextWaitUntilItCommits() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_tx_wait", "create table it_tx_wait (id int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection a = proxy.connect();
             Connection b = proxy.connect()) {
            a.setAutoCommit(false);
            Sql.exec(a, "insert into it_tx_wait values (1)");
            CompletableFuture<String> bCount = CompletableFuture.supplyAsync(() -> {
                try {
                    return Sql.one(b, "select count(*) from it_tx_wait");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(Duration.ofSeconds(10), () -> proxy.appSnapshot().clientsWaiting() == 1,
                    "B to queue for the server A holds");
            assertFalse(bCount.isDone(), "B was answered while A's transaction held the only server");
            a.commit();
            assertEquals("1", bCount.get(10, TimeUnit.SECONDS), "B must run after A's commit and see its row");
        }
    }

    @Test
    void aClientThatVanishesInsideATransactionLeavesARolledBackServerInThePool() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_tx_vanish", "create table it_tx_vanish (id int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient next = proxy.rawLogin()) {
            int pid;
            try (RawPgClient leaver = proxy.rawLogin()) {
                assertEquals('T', Raw.command(leaver, "begin"));
                assertEquals('T', Raw.command(leaver, "insert into it_tx_vanish values (1)"));
                pid = Raw.pid(leaver);
            } // closes the socket without Terminate, mid-transaction
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1,
                    "the server to be rolled back and put back in the pool");
            assertEquals(List.of(Integer.toString(pid), "0"), pidAndRows(next),
                    "the next client should reuse the rolled-back server and not see the uncommitted row");
        }
    }

    @Test
    void aClientWaitingForTheServerOfAClientThatVanishesInsideATransactionGetsItAfterTheRollback() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_tx_vanish2", "create table it_tx_vanish2 (id int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_timeout", "3s").start();
             RawPgClient next = proxy.rawLogin()) {
            int pid;
            try (RawPgClient leaver = proxy.rawLogin()) {
                assertEquals('T', Raw.command(leaver, "begin"));
                assertEquals('T', Raw.command(leaver, "insert into it_tx_vanish2 values (1)"));
                pid = Raw.pid(leaver);
                next.query("select pg_backend_pid(), (select count(*) from it_tx_vanish2)");
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().clientsWaiting() == 1,
                        "the next client to wait for the only server");
            } // closes the socket without Terminate, mid-transaction, while the next client waits
            List<BackendMessage> reply = next.readUntilReady();
            assertEquals("TDCZ", Raw.types(reply), reply::toString);
            assertEquals(List.of(Integer.toString(pid), "0"), reply.get(1).dataRowText());
        }
    }

    private static List<String> pidAndRows(RawPgClient client) {
        client.query("select pg_backend_pid(), (select count(*) from it_tx_vanish)");
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", Raw.types(reply), reply::toString);
        assertEquals('I', reply.get(3).readyStatus());
        return reply.get(1).dataRowText();
    }

    @Test
    void aSessionSetInTransactionModeDoesNotLeakToTheNextClient() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection a = proxy.connect();
             Connection b = proxy.connect()) {
            String standard = Sql.one(b, "show work_mem");
            assertNotEquals("77MB", standard);
            Sql.exec(a, "set work_mem = '77MB'");
            assertEquals(standard, Sql.one(b, "show work_mem"), "B sees A's session setting");
            assertEquals("77MB", Sql.one(a, "show work_mem"), "A lost its own session setting");
        }
    }

    @Test
    void aClientThatSetsAReportedParameterKeepsItAcrossServers() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection a = proxy.connect();
             Connection b = proxy.connect()) {
            String standard = Sql.one(b, "show timezone");
            String own = "Asia/Tokyo".equals(standard) ? "America/New_York" : "Asia/Tokyo";
            Sql.exec(a, "set timezone = '" + own + "'");
            for (int i = 0; i < 5; i++) {
                assertEquals(standard, Sql.one(b, "show timezone"), "B sees A's TimeZone");
                assertEquals(own, Sql.one(a, "show timezone"), "A lost its TimeZone");
            }
        }
    }
}
