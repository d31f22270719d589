package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.PoolSnapshot;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extended query protocol through pgmux in transaction mode: pipelining, Flush, statement names. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExtendedProtocolIT {
    private final PostgresCluster cluster;

    ExtendedProtocolIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void threeSyncsInOneWriteGetThreeReadyForQueryWithTheRightAnswers() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            // Two clients take turns on one server, so each batch may land on a server the other just used.
            for (int round = 0; round < 10; round++) {
                for (RawPgClient client : List.of(a, b)) {
                    Wire batch = new Wire();
                    for (int i = 1; i <= 3; i++) {
                        batch.parse("", "select $1::int * " + i).bind("", "", Integer.toString(round)).execute("").sync();
                    }
                    batch.sendTo(client);
                    for (int i = 1; i <= 3; i++) {
                        List<BackendMessage> reply = client.readUntilReady();
                        assertEquals("12DCZ", Raw.types(reply), reply::toString);
                        assertEquals(List.of(Integer.toString(round * i)), reply.get(2).dataRowText());
                        assertEquals('I', reply.get(4).readyStatus());
                    }
                }
            }
        }
    }

    @Test
    void anErrorInAPipelineSkipsToItsSyncAndTheNextSyncStillAnswers() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            new Wire()
                    .parse("", "select 1 / g from generate_series(0, 0) g").bind("", "").execute("")
                    .parse("", "select 'skipped'").bind("", "").execute("").sync()
                    .parse("", "select 'after'").bind("", "").execute("").sync()
                    .sendTo(client);
            List<BackendMessage> first = client.readUntilReady();
            assertEquals("12EZ", Raw.types(first), first::toString);
            assertEquals("22012", first.get(2).errorField('C'));
            List<BackendMessage> second = client.readUntilReady();
            assertEquals("12DCZ", Raw.types(second), second::toString);
            assertEquals(List.of("after"), second.get(2).dataRowText());
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "the server to go back to the pool after the last Sync");
        }
    }

    @Test
    void flushWithoutSyncKeepsTheSameServerWhileAnotherClientWaitsForIt() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient holder = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            int first = pidViaFlush(holder);
            other.query("select pg_backend_pid()");
            Await.until(Duration.ofSeconds(10), () -> proxy.appSnapshot().clientsWaiting() == 1,
                    "the other client to queue for the only server");
            assertEquals(first, pidViaFlush(holder), "the Flush-only exchange moved to another server");
            new Wire().sync().sendTo(holder);
            assertEquals('I', holder.expect('Z').readyStatus());
            List<BackendMessage> reply = other.readUntilReady();
            assertEquals("TDCZ", Raw.types(reply), reply::toString);
            assertEquals(List.of(Integer.toString(first)), reply.get(1).dataRowText());
        }
    }

    /** Parse/Bind/Execute/Flush of pg_backend_pid(): the answer arrives, ReadyForQuery does not. */
    private static int pidViaFlush(RawPgClient client) {
        new Wire().parse("", "select pg_backend_pid()").bind("", "").execute("").flush().sendTo(client);
        client.expect('1');
        client.expect('2');
        int pid = Integer.parseInt(client.expect('D').dataRowText().get(0));
        assertEquals("SELECT 1", client.expect('C').commandTag());
        return pid;
    }

    @Test
    void unnamedStatementsWorkInTransactionModeAcrossServers() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin()) {
            for (int i = 0; i < 5; i++) {
                client.parse("", "select $1::text || '!'", 25);
                client.describeStatement("");
                client.bind("", "", "hi" + i);
                client.describePortal("");
                client.execute("", 0);
                client.sync();
                List<BackendMessage> reply = client.readUntilReady();
                assertEquals("1tT2TDCZ", Raw.types(reply), reply::toString);
                assertEquals(List.of("hi" + i + "!"), reply.get(5).dataRowText());
            }
        }
    }

    /**
     * Named statements in transaction mode are either served as on a direct connection or refused at once with a
     * clear FATAL 0A000 (what pgmux did before it supported them); anything else would be silent misbehaviour.
     */
    @Test
    void aNamedPreparedStatementInTransactionModeIsServedCorrectlyOrRefusedWithFatal0A000() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient bystander = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin()) {
            new Wire().parse("stmt1", "select $1::int * 10").bind("", "stmt1", "4").execute("").sync().sendTo(client);
            BackendMessage first = client.read();
            if (first.type() == 'E') {
                assertEquals("FATAL", first.errorField('S'), first::toString);
                assertEquals("0A000", first.errorField('C'), first::toString);
                assertTrue(first.errorField('M').contains("stmt1"), first::toString);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)), "pgmux should close the connection");
            } else {
                assertEquals('1', first.type(), first::toString);
                List<BackendMessage> rest = client.readUntilReady();
                assertEquals("2DCZ", Raw.types(rest), rest::toString);
                assertEquals(List.of("40"), rest.get(1).dataRowText());
                // The bystander uses the same name for another query on the same (only) server.
                new Wire().parse("stmt1", "select $1::text || '!'").bind("", "stmt1", "b").execute("").sync()
                        .sendTo(bystander);
                List<BackendMessage> other = bystander.readUntilReady();
                assertEquals("12DCZ", Raw.types(other), other::toString);
                assertEquals(List.of("b!"), other.get(2).dataRowText());
                for (int i = 0; i < 3; i++) {
                    new Wire().bind("", "stmt1", Integer.toString(i)).execute("").sync().sendTo(client);
                    List<BackendMessage> again = client.readUntilReady();
                    assertEquals("2DCZ", Raw.types(again), again::toString);
                    assertEquals(List.of(Integer.toString(i * 10)), again.get(1).dataRowText());
                }
            }
            assertEquals("1", Raw.queryOne(bystander, "select 1"));
        }
    }

    @Test
    void pgjdbcServerPreparedStatementsAreServedCorrectlyOrRefusedWith0A000() throws Exception {
        Properties named = new Properties();
        named.setProperty("prepareThreshold", "1");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(3).start()) {
            List<Throwable> failures = Sql.concurrently(20, Duration.ofSeconds(45), id -> {
                try (Connection c = proxy.connect(named);
                     PreparedStatement ps = c.prepareStatement("select ?::int + " + (id % 4))) {
                    for (int i = 0; i < 20; i++) {
                        ps.setInt(1, id * 100 + i);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals(id * 100 + i + id % 4, rs.getInt(1), "client " + id);
                        }
                    }
                }
            });
            // Every failure, if any, must be the clear refusal; a wrong answer or another error fails here.
            for (Throwable each : failures) {
                assertEquals("0A000", Sql.sqlState(each), () -> Sql.describe(failures));
            }
        }
    }

    @Test
    void copyFromStdinOverTheExtendedProtocolReleasesTheServerAfterwards() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_ext_copy", "create table it_ext_copy (a int, b text)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("query_wait_timeout", "3s").start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            // What libpq's PQexecParams sends for a COPY, then the data, CopyDone and its own Sync.
            new Wire().parse("", "copy it_ext_copy from stdin").bind("", "").describePortal("").execute("").sync()
                    .sendTo(client);
            client.expect('1');
            client.expect('2');
            client.expect('n');
            client.expect('G');
            new Wire().copyData("1\tone\n").copyData("2\ttwo\n").copyDone().sync().sendTo(client);
            assertEquals("COPY 2", client.expect('C').commandTag());
            assertEquals('I', client.expect('Z').readyStatus());

            Await.until(Duration.ofSeconds(5), () -> {
                PoolSnapshot s = proxy.appSnapshot();
                return s.serversActive() == 0 && s.serversIdle() == 1;
            }, "the server to go back to the pool after the COPY's ReadyForQuery");
            assertEquals("2", Raw.queryOne(other, "select count(*) from it_ext_copy"));
            assertEquals("2", Raw.queryOne(client, "select count(*) from it_ext_copy"));
        }
    }

    @Test
    void pgjdbcBatchOfManyPipelinedInsertsArrivesWhole() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_ext_batch", "create table it_ext_batch (id int, t text)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection c = proxy.connect();
             PreparedStatement insert = c.prepareStatement("insert into it_ext_batch values (?, ?)")) {
            for (int i = 0; i < 5000; i++) {
                insert.setInt(1, i);
                insert.setString(2, "row " + i);
                insert.addBatch();
            }
            int[] counts = insert.executeBatch();
            assertEquals(5000, counts.length);
            assertEquals("5000 12497500", Sql.one(c, "select count(*) || ' ' || sum(id) from it_ext_batch"));
        }
    }

    @Test
    void pgjdbcCursorFetchInATransactionReadsEveryRowFromOneServer() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection c = proxy.connect();
             Connection other = proxy.connect()) {
            c.setAutoCommit(false);
            int pid = Sql.pid(c);
            try (PreparedStatement ps = c.prepareStatement("select g, pg_backend_pid() from generate_series(1, 10000) g")) {
                ps.setFetchSize(100);
                try (ResultSet rs = ps.executeQuery()) {
                    long sum = 0;
                    int rows = 0;
                    while (rs.next()) {
                        sum += rs.getInt(1);
                        assertEquals(pid, rs.getInt(2));
                        if (++rows % 1000 == 0) {
                            assertNotEquals(pid, Sql.pid(other), "another client got the server of an open cursor");
                        }
                    }
                    assertEquals(10000, rows);
                    assertEquals(50005000L, sum);
                }
            }
            c.commit();
        }
    }

    @Test
    void portalSuspendedByARowLimitKeepsTheServerUntilSync() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            new Wire().parse("", "select g, pg_backend_pid() from generate_series(1, 3) g").bind("", "")
                    .message('E', Wire.concat(Wire.cstring(""), new byte[] {0, 0, 0, 2})).flush().sendTo(client);
            client.expect('1');
            client.expect('2');
            int pid = Integer.parseInt(client.expect('D').dataRowText().get(1));
            client.expect('D');
            client.expect('s');
            // Meanwhile another client must get the other server.
            assertNotEquals(pid, Raw.pid(other));
            new Wire().execute("").sync().sendTo(client);
            List<BackendMessage> rest = client.readUntilReady();
            assertEquals("DCZ", Raw.types(rest), rest::toString);
            assertEquals(List.of("3", Integer.toString(pid)), rest.get(0).dataRowText());
        }
    }
}
