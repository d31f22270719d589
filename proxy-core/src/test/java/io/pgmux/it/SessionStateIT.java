package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Session state in transaction mode follows its client, or pins it, and never reaches another client. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionStateIT {
    private final PostgresCluster cluster;

    SessionStateIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void setOutsideATransactionFollowsTheClientAcrossServersAndNeverReachesAnother() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             Connection holder = proxy.connect()) {
            String defaultPath = Raw.queryOne(b, "show search_path");
            assertEquals('I', Raw.command(a, "SET search_path TO pg_catalog, public"));
            a.query("set timezone = 'Asia/Tokyo'");
            assertEquals("CSZ", Raw.types(a.readUntilReady()), "SET reports the new TimeZone");
            assertEquals('I', Raw.command(a, "SET work_mem = '7MB'"));
            for (int i = 0; i < 6; i++) {
                // Alternate which server is free, so both clients land on both servers.
                if (i % 2 == 0) {
                    holder.setAutoCommit(false);
                    Sql.pid(holder);
                } else {
                    holder.commit();
                    holder.setAutoCommit(true);
                }
                assertEquals("pg_catalog, public", Raw.queryOne(a, "show search_path"));
                assertEquals("Asia/Tokyo", Raw.queryOne(a, "show timezone"));
                assertEquals("7MB", Raw.queryOne(a, "show work_mem"));
                assertEquals(defaultPath, Raw.queryOne(b, "show search_path"));
                assertNotEquals("Asia/Tokyo", Raw.queryOne(b, "show timezone"));
                assertEquals("4MB", Raw.queryOne(b, "show work_mem"));
            }
            assertEquals('I', Raw.command(a, "RESET work_mem"));
            assertEquals("4MB", Raw.queryOne(a, "show work_mem"));
        }
    }

    @Test
    void startupOptionsFollowTheClient() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin(Map.of("options", "-c statement_timeout=1234 -c search_path=pg_catalog"));
             RawPgClient b = proxy.rawLogin()) {
            assertEquals("1234ms", Raw.queryOne(a, "show statement_timeout"));
            assertEquals("0", Raw.queryOne(b, "show statement_timeout"));
            assertEquals("pg_catalog", Raw.queryOne(a, "show search_path"));
            assertEquals("1234ms", Raw.queryOne(a, "show statement_timeout"));
        }
    }

    @Test
    void aSetInsideATransactionBlockDoesNotLeakToTheNextClient() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            Raw.command(a, "begin");
            Raw.command(a, "set work_mem = '9MB'");
            Raw.command(a, "commit");
            assertEquals("4MB", Raw.queryOne(b, "show work_mem"));
        }
    }

    @Test
    void aSessionAdvisoryLockPinsTheClientUntilItLeaves() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            int pid = Raw.pid(a);
            assertEquals("", Raw.queryOne(a, "select pg_advisory_lock(42)::text"));
            for (int i = 0; i < 5; i++) {
                assertEquals(pid, Raw.pid(a), "pinned to the server that holds the lock");
                assertEquals("f", Raw.queryOne(b, "select pg_try_advisory_xact_lock(42)"));
            }
            // b's server goes back a moment after b has its answer; a's must stay out.
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 1,
                    "only the pinned server stays out of the pool");
            assertEquals(pid, Raw.pid(a));
            a.terminate();
            // A server being reset counts as neither active nor idle: wait until both are idle again.
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 2, "server back after reset");
            assertEquals("t", Raw.queryOne(b, "select pg_try_advisory_xact_lock(42)"), "DISCARD ALL released the lock");
        }
    }

    @Test
    void aTemporaryTableSurvivesAcrossTransactionsForItsClientOnly() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            Raw.command(a, "create temp table scratch (x int)");
            Raw.command(a, "insert into scratch values (1), (2)");
            for (int i = 0; i < 3; i++) {
                assertEquals("2", Raw.queryOne(a, "select count(*) from scratch"));
                b.query("select count(*) from scratch");
                assertEquals("42P01", b.readUntilReady().get(0).errorField('C'));
            }
        }
    }

    @Test
    void aPinningStatementAfterAnotherInTheSameQueryPins() {
        for (String sql : List.of("SELECT 1; LISTEN pgmux_after_select", "select 1; select pg_advisory_lock(43)",
                "SELECT 1 AS x INTO TEMP scratch_into", "set work_mem = '5MB'; create temp table scratch_after (x int)")) {
            try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
                 RawPgClient a = proxy.rawLogin()) {
                a.query(sql);
                assertEquals('Z', last(a.readUntilReady()).type(), sql);
                // Once idle, a pinned client still holds its server.
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 1
                        && proxy.appSnapshot().serversIdle() == 0, "pinned by " + sql);
            }
        }
    }

    @Test
    void aNamedStatementPgmuxPreparesWithoutAServerStillPinsWhenItPins() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient x = proxy.rawLogin();
             RawPgClient y = proxy.rawLogin()) {
            x.parse("lock", "select pg_advisory_lock($1)", 20);
            x.sync();
            assertEquals("1Z", Raw.types(x.readUntilReady()));
            // The same text is known to the pool now: y's Parse is answered without a server.
            y.parse("mine", "select pg_advisory_lock($1)", 20);
            y.sync();
            assertEquals("1Z", Raw.types(y.readUntilReady()));
            y.bind("", "mine", "44");
            y.execute("", 0);
            y.sync();
            assertEquals("2DCZ", Raw.types(y.readUntilReady()));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 2,
                    "x and y each keep the server they pinned");
            assertEquals("f", Raw.queryOne(x, "select pg_try_advisory_lock(44)"), "y holds the lock");
        }
    }

    @Test
    void aFunctionCallOfASessionAdvisoryLockOrOfSetConfigPins() {
        for (int oid : new int[] {2880, 2078}) {
            try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
                 RawPgClient a = proxy.rawLogin()) {
                a.send('F', oid == 2880 ? functionCall(oid, "45") : functionCall(oid, "myapp.fastpath", "x", "f"));
                assertEquals("VZ", Raw.types(a.readUntilReady()), "function " + oid);
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 1
                        && proxy.appSnapshot().serversIdle() == 0, "pinned by function " + oid);
            }
        }
    }

    /** A FunctionCall body: the function's OID, text arguments, a text result. */
    private static byte[] functionCall(int oid, String... textArguments) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(body);
        try {
            out.writeInt(oid);
            out.writeShort(0);
            out.writeShort(textArguments.length);
            for (String each : textArguments) {
                byte[] bytes = each.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            out.writeShort(0);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return body.toByteArray();
    }

    @Test
    void aTemporaryTableDroppedOnCommitDoesNotPin() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin()) {
            Raw.command(a, "BEGIN");
            Raw.command(a, "CREATE TEMP TABLE scratch_tx (x int) ON COMMIT DROP");
            Raw.command(a, "INSERT INTO scratch_tx VALUES (1)");
            assertEquals("1", Raw.queryOne(a, "select count(*) from scratch_tx"));
            assertEquals('I', Raw.command(a, "COMMIT"));
            assertEquals('I', Raw.command(a, "create temporary table scratch_auto on commit drop as select 1 as x"));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "the server went back to the pool");
            a.query("select count(*) from scratch_tx");
            assertEquals("42P01", a.readUntilReady().get(0).errorField('C'), "dropped at commit, as on a direct connection");
        }
    }

    @Test
    void aDeallocateAllAfterAnotherStatementOfAQueryForgetsTheStatementsAsPostgresDoes() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port())) {
            direct.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            for (RawPgClient each : List.of(a, direct)) {
                each.parse("s1", "select 1");
                each.sync();
                assertEquals("1Z", Raw.types(each.readUntilReady()));
                each.query("SELECT 1; DEALLOCATE ALL");
                assertEquals("TDCCZ", Raw.types(each.readUntilReady()));
                // The name is free again: preparing it anew is no duplicate.
                each.parse("s1", "select 2");
                each.bind("", "s1");
                each.execute("", 0);
                each.sync();
                List<io.pgmux.testing.BackendMessage> reply = each.readUntilReady();
                assertEquals("12DCZ", Raw.types(reply), reply::toString);
                assertEquals("2", reply.get(2).dataRowText().get(0));
            }
        }
    }

    private static io.pgmux.testing.BackendMessage last(List<io.pgmux.testing.BackendMessage> reply) {
        return reply.get(reply.size() - 1);
    }

    @Test
    void listenNotifyReachesAPinnedClient() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection listener = proxy.connect();
             Connection notifier = proxy.connect()) {
            Sql.exec(listener, "LISTEN pgmux_channel");
            Sql.exec(notifier, "NOTIFY pgmux_channel, 'hello'");
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(5000);
            assertTrue(received != null && received.length == 1, "one notification");
            assertEquals("hello", received[0].getParameter());
        }
    }

    @Test
    void pinningErrorPolicyRefusesWithAClearMessageAndTheSessionGoesOn() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("pinning", "error").start();
             RawPgClient a = proxy.rawLogin()) {
            a.query("select pg_advisory_lock(7)");
            BackendMessage error = a.expect('E');
            assertEquals("ERROR", error.errorField('S'), error::toString);
            assertEquals("0A000", error.errorField('C'), error::toString);
            assertTrue(error.errorField('M').contains("pinning: error"), error::toString);
            assertTrue(error.errorField('H').contains("pool_mode: session"), error::toString);
            assertEquals('I', a.expect('Z').readyStatus());
            assertEquals("1", Raw.queryOne(a, "select 1"));
        }
    }
}
