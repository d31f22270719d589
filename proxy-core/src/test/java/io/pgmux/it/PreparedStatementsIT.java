package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Named prepared statements in transaction mode behave as on a direct connection. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PreparedStatementsIT {
    private static final int INT4 = 23;
    private final PostgresCluster cluster;

    PreparedStatementsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** Prepares {@code name}, then binds and executes it with one parameter; returns the single value. */
    private static String prepareAndRun(RawPgClient client, String name, String sql, String param) {
        client.parse(name, sql, INT4);
        client.sync();
        assertEquals("1Z", Raw.types(client.readUntilReady()), "Parse of " + name);
        return run(client, name, param);
    }

    private static String run(RawPgClient client, String name, String param) {
        client.bind("", name, param);
        client.execute("", 0);
        client.sync();
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("2DCZ", Raw.types(reply), () -> "Bind/Execute of " + name + ": " + reply);
        return reply.get(1).dataRowText().get(0);
    }

    @Test
    void twoClientsUsingTheSameNameForDifferentQueriesOnOneServerEachGetTheirOwn() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            assertEquals("11", prepareAndRun(a, "s1", "select $1::int + 10", "1"));
            assertEquals("200", prepareAndRun(b, "s1", "select $1::int * 100", "2"));
            for (int i = 0; i < 5; i++) {
                assertEquals(String.valueOf(i + 10), run(a, "s1", String.valueOf(i)));
                assertEquals(String.valueOf(i * 100), run(b, "s1", String.valueOf(i)));
            }
        }
    }

    @Test
    void aStatementFollowsItsClientToServersThatNeverSawIt() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient client = proxy.rawLogin();
             Connection holder1 = proxy.connect()) {
            assertEquals("8", prepareAndRun(client, "double", "select $1::int * 2", "4"));
            // Occupy the server the statement was prepared on, so the next Bind lands elsewhere.
            holder1.setAutoCommit(false);
            int busy = Sql.pid(holder1);
            int seen = Raw.pid(client);
            assertTrue(busy != seen);
            assertEquals("14", run(client, "double", "7"));
            holder1.commit();
        }
    }

    @Test
    void anEvictedStatementIsPreparedAgainTransparently() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("max_prepared_statements", "2").start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("2", prepareAndRun(client, "p1", "select $1::int + 1", "1"));
            assertEquals("3", prepareAndRun(client, "p2", "select $1::int + 2", "1"));
            assertEquals("4", prepareAndRun(client, "p3", "select $1::int + 3", "1"));
            // p1 was evicted from the only server (capacity 2); using it must still work.
            assertEquals("11", run(client, "p1", "10"));
            assertEquals("12", run(client, "p2", "10"));
            assertEquals("13", run(client, "p3", "10"));
            assertEquals("2", Raw.queryOne(client, "select count(*) from pg_prepared_statements"),
                    "the server holds no more than max_prepared_statements");
        }
    }

    @Test
    void closeThenReuseOfANameAndTheErrorsOfADirectConnection() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("5", prepareAndRun(client, "n", "select $1::int + 4", "1"));

            client.parse("n", "select 1", new int[0]);
            client.bind("", "n");
            client.execute("", 0);
            client.sync();
            List<BackendMessage> duplicate = client.readUntilReady();
            assertEquals("EZ", Raw.types(duplicate), duplicate::toString);
            assertEquals("42P05", duplicate.get(0).errorField('C'));

            client.close('S', "n");
            client.sync();
            assertEquals("3Z", Raw.types(client.readUntilReady()));

            client.bind("", "n", "1");
            client.execute("", 0);
            client.sync();
            List<BackendMessage> missing = client.readUntilReady();
            assertEquals("EZ", Raw.types(missing), missing::toString);
            assertEquals("26000", missing.get(0).errorField('C'));

            assertEquals("100", prepareAndRun(client, "n", "select $1::int * 50", "2"));
        }
    }

    @Test
    void describeOfAStatementMatchesADirectConnection() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port())) {
            direct.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, java.util.Map.of());
            for (RawPgClient each : List.of(client, direct)) {
                each.parse("d", "select $1::int as x, 'y'::text as y", INT4);
                each.describeStatement("d");
                each.sync();
            }
            List<BackendMessage> viaProxy = client.readUntilReady();
            List<BackendMessage> viaDirect = direct.readUntilReady();
            assertEquals(Raw.types(viaDirect), Raw.types(viaProxy));
            for (int i = 0; i < viaDirect.size(); i++) {
                assertEquals(java.util.Arrays.toString(viaDirect.get(i).body()),
                        java.util.Arrays.toString(viaProxy.get(i).body()), "message " + i);
            }
        }
    }

    @Test
    void deallocateAndDeallocateAllAndDiscardAllActOnTheClientsNames() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            prepareAndRun(client, "a", "select $1::int", "1");
            prepareAndRun(client, "b", "select $1::int + 1", "1");
            assertEquals('I', Raw.command(client, "DEALLOCATE a"));
            client.bind("", "a", "1");
            client.sync();
            assertEquals("26000", client.readUntilReady().get(0).errorField('C'));
            assertEquals("3", run(client, "b", "2"));
            assertEquals('I', Raw.command(client, "deallocate all"));
            client.bind("", "b", "1");
            client.sync();
            assertEquals("26000", client.readUntilReady().get(0).errorField('C'));
            prepareAndRun(client, "c", "select $1::int", "1");
            assertEquals('I', Raw.command(client, "DISCARD ALL"));
            client.bind("", "c", "1");
            client.sync();
            assertEquals("26000", client.readUntilReady().get(0).errorField('C'));
            // The names are free again.
            assertEquals("7", prepareAndRun(client, "c", "select $1::int + 6", "1"));
        }
    }

    /** Runs a statement through the extended protocol as psycopg does its cache maintenance. */
    private static String extendedCommand(RawPgClient client, String sql) {
        client.parse("", sql, new int[0]);
        client.bind("", "");
        client.execute("", 0);
        client.sync();
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("12CZ", Raw.types(reply), reply::toString);
        return reply.get(2).commandTag();
    }

    @Test
    void deallocateThroughTheExtendedProtocolActsOnTheClientsNamesAndSparesOthers() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            assertEquals("2", prepareAndRun(a, "x", "select $1::int + 1", "1"));
            assertEquals("3", prepareAndRun(b, "y", "select $1::int + 1", "2"));
            assertEquals("DEALLOCATE", extendedCommand(a, "DEALLOCATE x"));
            a.bind("", "x", "1");
            a.sync();
            assertEquals("26000", a.readUntilReady().get(0).errorField('C'));
            assertEquals("5", run(b, "y", "4"), "the other client's statement of the same text still works");
            assertEquals("DEALLOCATE ALL", extendedCommand(b, "DEALLOCATE ALL"));
            b.bind("", "y", "1");
            b.sync();
            assertEquals("26000", b.readUntilReady().get(0).errorField('C'));
            assertEquals("11", prepareAndRun(a, "x", "select $1::int + 1", "10"), "the name is free again");
            assertEquals("21", prepareAndRun(b, "y", "select $1::int + 1", "20"));
        }
    }

    @Test
    void aStalePlanGivesTheDirectErrorOnceAndThenWorks() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            Raw.command(client, "create table stale_plan (a int)");
            Raw.command(client, "insert into stale_plan values (1)");
            client.parse("q", "select * from stale_plan", new int[0]);
            client.bind("", "q");
            client.execute("", 0);
            client.sync();
            assertEquals("12DCZ", Raw.types(client.readUntilReady()));
            Raw.command(client, "alter table stale_plan add column b int");
            client.bind("", "q");
            client.execute("", 0);
            client.sync();
            List<BackendMessage> stale = client.readUntilReady();
            assertEquals("0A000", stale.get(0).errorField('C'), stale::toString);
            // As a driver does: close and prepare again; the new plan has the new column.
            client.close('S', "q");
            client.parse("q", "select * from stale_plan", new int[0]);
            client.bind("", "q");
            client.describePortal("");
            client.execute("", 0);
            client.sync();
            List<BackendMessage> again = client.readUntilReady();
            assertEquals("312TDCZ", Raw.types(again), again::toString);
            assertEquals(2, again.get(4).dataRowText().size());
            Raw.command(client, "drop table stale_plan");
        }
    }

    @Test
    void pgjdbcWithServerPreparedStatementsAndBatchesOnASmallPool() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(4).set("max_client_connections", "500").start()) {
            try (Connection c = proxy.connect()) {
                Sql.exec(c, "drop table if exists jdbc_batch");
                Sql.exec(c, "create table jdbc_batch (client int, n int)");
            }
            Properties props = new Properties();
            props.setProperty("prepareThreshold", "1");
            AtomicInteger inserted = new AtomicInteger();
            List<Throwable> errors = Sql.concurrently(100, Duration.ofSeconds(90), id -> {
                try (Connection c = proxy.connect(props)) {
                    for (int round = 0; round < 5; round++) {
                        try (PreparedStatement insert = c.prepareStatement("insert into jdbc_batch values (?, ?)")) {
                            for (int n = 0; n < 10; n++) {
                                insert.setInt(1, id);
                                insert.setInt(2, n);
                                insert.addBatch();
                            }
                            inserted.addAndGet(insert.executeBatch().length);
                        }
                        try (PreparedStatement count = c.prepareStatement(
                                "select count(*) from jdbc_batch where client = ?")) {
                            count.setInt(1, id);
                            try (ResultSet rs = count.executeQuery()) {
                                rs.next();
                                assertEquals((round + 1) * 10, rs.getInt(1), "client " + id + " sees its own rows");
                            }
                        }
                    }
                }
            });
            assertEquals(List.of(), errors);
            assertEquals(5000, inserted.get());
            try (Connection c = proxy.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from jdbc_batch")) {
                rs.next();
                assertEquals(5000, rs.getInt(1));
            }
        }
    }
}
