package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.LogCapture;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Closing pgmux closes every client and every server connection it holds; a shutdown ends with one line saying
 * how pgmux stopped, as PostgreSQL's log ends with "database system is shut down".
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShutdownIT {
    private final PostgresCluster cluster;

    ShutdownIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void closingPgmuxClosesEveryClientAndServerConnection() throws Exception {
        try {
            // Several rounds: the connections are left open in most rounds, not all.
            for (int round = 0; round < 5; round++) {
                // Use PgmuxServer directly: ProxyFixture.close() would clean up the strays this test looks for.
                ProxyFixture proxy = ProxyFixture.start(ProxyFixture.config(cluster).poolSize(2).yaml());
                RawPgClient idle = proxy.rawLogin();
                RawPgClient inTransaction = proxy.rawLogin();
                try (RawPgClient leaver = proxy.rawLogin()) {
                    assertEquals('T', Raw.command(inTransaction, "begin"));
                    Raw.pid(inTransaction);
                    assertEquals('T', Raw.command(leaver, "begin"));
                    Raw.pid(leaver);
                } // leaves mid-transaction just before pgmux closes: its server is being rolled back
                proxy.server().close();
                try (RawPgClient a = idle; RawPgClient b = inTransaction) {
                    assertTrue(a.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": an idle client "
                            + "is still connected to the closed pgmux");
                    assertTrue(b.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": a client in a "
                            + "transaction is still connected to the closed pgmux");
                }
                int r = round;
                Await.untilChecked(Duration.ofSeconds(5), () -> cluster.countBackends("app", "app_user") == 0,
                        "round " + r + ": the closed pgmux's server connections to end");
            }
        } finally {
            ClusterAdmin.terminateStrayBackends(cluster, "app_user");
        }
    }

    @Test
    void aFastShutdownEndsTheLogWithStoppedAndHowLongItTook() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            try (RawPgClient client = proxy.rawLogin()) {
                proxy.server().shutdownNow().get(30, TimeUnit.SECONDS);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(3)));
            }
            assertLastLineIsStopped(logs, "fast");
        }
    }

    @Test
    void aSmartShutdownEndsTheLogWithStoppedOnceTheClientsHaveGone() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            try (RawPgClient client = proxy.rawLogin()) {
                assertEquals("1", Raw.queryOne(client, "select 1"));
                proxy.server().shutdown(Duration.ofSeconds(20), false).get(30, TimeUnit.SECONDS);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(3)));
            }
            assertLastLineIsStopped(logs, "smart");
        }
    }

    /**
     * A connection still logging in when a smart shutdown finds no logged-in client left is answered as PostgreSQL
     * answers a client during a shutdown, FATAL 57P03, rather than its connection dropping; the drain ends after.
     */
    @Test
    void aClientStillLoggingInAtASmartShutdownGets57P03() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start(); RawPgClient late = proxy.raw()) {
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().loginClientCount() == 1,
                    "the connection to be accepted");
            CompletableFuture<Void> stopped = proxy.server().shutdown(Duration.ofSeconds(20), false);
            // The drain looks every 50 ms: several looks find no logged-in client while this one has yet to log in.
            assertThrows(TimeoutException.class, () -> stopped.get(300, TimeUnit.MILLISECONDS));
            late.sendStartup(Map.of("user", ProxyFixture.APP_USER, "database", ProxyFixture.APP_DB));
            Raw.expectFatal(late, "57P03");
            stopped.get(20, TimeUnit.SECONDS);
        }
    }

    /** A fast shutdown during a smart one: the line says fast, timed from the first request. */
    @Test
    void aFastShutdownDuringASmartOneIsLoggedAsFast() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals('T', Raw.command(client, "begin"));
            var smart = proxy.server().shutdown(Duration.ofSeconds(60), false);
            Await.until(Duration.ofSeconds(5), () -> !logs.linesWith("shutting down: no new clients").isEmpty(),
                    "the smart shutdown to begin");
            proxy.server().shutdownNow().get(30, TimeUnit.SECONDS);
            assertTrue(smart.isDone(), "one stage for both requests");
            assertLastLineIsStopped(logs, "fast");
        }
    }

    /**
     * A client running transactions back to back, its next one sent the moment the last ReadyForQuery arrives, is
     * never between transactions at any given instant: it is closed with 57P01 the moment the transaction running
     * at the smart shutdown (what SIGTERM asks for) ends, its commit kept, and nothing of a later transaction runs.
     * The drain is not held until shutdown_timeout. In session mode the same, at the client's own server's end of
     * the transaction.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session"})
    void aSmartShutdownClosesABusyClientTheMomentItsTransactionEnds(String poolMode) throws Exception {
        try (Connection direct = direct(); Statement st = direct.createStatement()) {
            st.execute("drop table if exists drain_back_to_back");
            st.execute("create table drain_back_to_back (id int primary key)");
        }
        AtomicInteger started = new AtomicInteger();
        AtomicInteger committed = new AtomicInteger();
        CompletableFuture<SQLException> ending = new CompletableFuture<>();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).set("pool_mode", poolMode)
                .set("shutdown_timeout", "30s").start()) {
            Thread loop = new Thread(() -> {
                try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    while (true) {
                        int id = started.incrementAndGet();
                        s.execute("insert into drain_back_to_back values (" + id + ")");
                        s.execute("select pg_sleep(0.2)");
                        c.commit();
                        committed.set(id);
                    }
                } catch (SQLException e) {
                    ending.complete(e);
                } catch (RuntimeException e) {
                    ending.completeExceptionally(e);
                }
            });
            loop.start();
            try (Connection direct = direct()) {
                Await.untilChecked(Duration.ofSeconds(30), () -> committed.get() >= 3 && "1".equals(Sql.one(direct,
                        "select count(*) from pg_stat_activity where usename = '" + ProxyFixture.APP_USER
                                + "' and state = 'active' and query like 'select pg_sleep%'")),
                        "a few transactions, then one inside its pg_sleep");
            }
            int inProgress = started.get();
            long asked = System.nanoTime();
            CompletableFuture<Void> stopped = proxy.server().shutdown(Duration.ofSeconds(30), false);
            SQLException error = ending.get(20, TimeUnit.SECONDS);
            assertEquals("57P01", error.getSQLState(), error.toString());
            stopped.get(20, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(15),
                    "the drain ended with the transaction, not at shutdown_timeout");
            loop.join(10_000);
            assertEquals(inProgress, committed.get(), "the transaction running at the shutdown committed");
            assertEquals(inProgress + 1, started.get(), "the client was refused at the next transaction's first "
                    + "statement");
        }
        try (Connection direct = direct()) {
            int last = committed.get();
            assertEquals(Integer.toString(last), Sql.one(direct, "select count(*) from drain_back_to_back"),
                    "every committed transaction's row, and no other");
            assertEquals(Integer.toString(last), Sql.one(direct, "select max(id) from drain_back_to_back"),
                    "no row of a transaction after the one running at the shutdown");
        }
    }

    /**
     * The operator's case, with psql: a session of -c commands whose transaction is inside pg_sleep at the smart
     * shutdown finishes it (the insert and the commit run), then gets FATAL 57P01 before its next statement: nothing
     * after the commit runs.
     */
    @Test
    void psqlFinishesTheTransactionRunningAtASmartShutdownAndRunsNothingAfterIt() throws Exception {
        Path psql = Path.of("/usr/lib/postgresql/15/bin/psql");
        assumeTrue(Files.isExecutable(psql), "no psql at " + psql);
        try (Connection direct = direct(); Statement st = direct.createStatement()) {
            st.execute("drop table if exists drain_psql");
            st.execute("create table drain_psql (id int primary key)");
        }
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("shutdown_timeout", "30s").start();
             Connection direct = direct()) {
            ProcessBuilder builder = new ProcessBuilder(psql.toString(), "-X", "-A", "-v", "VERBOSITY=verbose",
                    "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U", ProxyFixture.APP_USER,
                    "-d", ProxyFixture.APP_DB, "-c", "begin", "-c", "select pg_sleep(1.5)",
                    "-c", "insert into drain_psql values (1)", "-c", "commit",
                    "-c", "insert into drain_psql values (2)", "-c", "select 'next tx'").redirectErrorStream(true);
            builder.environment().put("PGPASSWORD", ProxyFixture.APP_PASSWORD);
            builder.environment().put("PGSSLMODE", "disable");
            Process process = builder.start();
            try {
                Await.untilChecked(Duration.ofSeconds(20), () -> "1".equals(Sql.one(direct, "select count(*) from "
                        + "pg_stat_activity where usename = '" + ProxyFixture.APP_USER + "' and state = 'active' "
                        + "and query like 'select pg_sleep%'")), "psql's pg_sleep to run");
                proxy.server().shutdown(Duration.ofSeconds(30), false);
                assertTrue(process.waitFor(20, TimeUnit.SECONDS), "psql finished");
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(out.contains("FATAL:  57P01: terminating connection due to administrator command"), out);
                assertTrue(out.contains("COMMIT"), out);
                assertFalse(out.contains("next tx"), out);
                assertEquals("1", Sql.one(direct, "select string_agg(id::text, ',') from drain_psql"),
                        "the transaction's row, and none of the next");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    /**
     * A fast shutdown, however asked for (the console's SHUTDOWN; SIGINT or a second SIGTERM, which call
     * shutdownNow), sends every client PostgreSQL's FATAL 57P01 before its connection closes: an idle one, one
     * inside {@code begin; select pg_sleep(3)} and one waiting for the pool's only server.
     */
    @ParameterizedTest
    @ValueSource(strings = {"SHUTDOWN", "SIGINT", "second SIGTERM"})
    void aFastShutdownSendsEveryClient57P01(String how) throws Exception {
        String admin = "pgadmin";
        String adminPassword = "admin-secret";
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(admin, adminPassword, null).set("admin", "{users: [" + admin + "]}").start();
             Connection idle = proxy.connect(); Connection inTransaction = proxy.connect();
             Connection waiter = proxy.connect(); Connection direct = direct()) {
            assertEquals("1", Sql.one(idle, "select 1"));
            inTransaction.setAutoCommit(false);
            CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> sqlStateOf(inTransaction,
                    "select pg_sleep(3)"));
            Await.untilChecked(Duration.ofSeconds(10), () -> "1".equals(Sql.one(direct, "select count(*) from "
                    + "pg_stat_activity where usename = '" + ProxyFixture.APP_USER + "' and state = 'active' and "
                    + "query like 'select pg_sleep%'")), "the transaction's pg_sleep to run");
            CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> sqlStateOf(waiter, "select 2"));
            Await.until(Duration.ofSeconds(10), () -> proxy.appSnapshot().clientsWaiting() == 1,
                    "a client to wait for the only server");
            switch (how) {
                case "SHUTDOWN" -> {
                    Properties simple = new Properties();
                    simple.setProperty("preferQueryMode", "simple");
                    try (Connection console = proxy.connect(admin, adminPassword, "pgmux", simple)) {
                        assertAdminShutdown(sqlStateOf(console, "SHUTDOWN"), "the console session");
                    }
                }
                case "SIGINT" -> proxy.server().shutdownNow();
                case "second SIGTERM" -> {
                    proxy.server().shutdown(Duration.ofSeconds(30), false);
                    proxy.server().shutdownNow();
                }
                default -> throw new IllegalArgumentException(how);
            }
            proxy.server().stopped().get(30, TimeUnit.SECONDS);
            assertAdminShutdown(sleeping.get(10, TimeUnit.SECONDS), "the client inside a transaction");
            assertAdminShutdown(waiting.get(10, TimeUnit.SECONDS), "the client waiting for a server");
            assertAdminShutdown(sqlStateOf(idle, "select 3"), "the idle client, at its next statement");
        }
    }

    private static void assertAdminShutdown(String outcome, String who) {
        assertTrue(outcome.startsWith("57P01 "), who + ": " + outcome);
    }

    /**
     * During a graceful drain SHOW STATE says what /health/ready says, shutting_down, beside PgBouncer's rows (a
     * drain is neither a pause nor a suspend); the console still lets an admin in to watch.
     */
    @Test
    void showStateSaysShuttingDownDuringADrainAsTheReadyEndpointDoes() throws Exception {
        String admin = "pgadmin";
        String adminPassword = "admin-secret";
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(admin, adminPassword, null).set("admin", "{users: [" + admin + "]}").start();
             Connection inTransaction = proxy.connect()) {
            try (Connection console = proxy.connect(admin, adminPassword, "pgmux", simple)) {
                assertEquals(Map.of("active", "yes", "paused", "no", "suspended", "no", "state", "serving"),
                        showState(console));
            }
            inTransaction.setAutoCommit(false);
            assertEquals("1", Sql.one(inTransaction, "select 1")); // keeps the drain going
            proxy.server().shutdown(Duration.ofSeconds(30), false);
            try (Connection console = proxy.connect(admin, adminPassword, "pgmux", simple)) {
                assertEquals(Map.of("active", "yes", "paused", "no", "suspended", "no", "state", "shutting_down"),
                        showState(console));
            }
            assertEquals("shutting_down", proxy.server().readiness().check().state().name().toLowerCase(),
                    "what /health/ready says");
            inTransaction.rollback();
            proxy.server().stopped().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> showState(Connection console) throws SQLException {
        Map<String, String> rows = new LinkedHashMap<>();
        try (Statement st = console.createStatement(); ResultSet rs = st.executeQuery("SHOW STATE")) {
            while (rs.next()) {
                rows.put(rs.getString("key"), rs.getString("value"));
            }
        }
        assertEquals(List.of("active", "paused", "suspended", "state"), List.copyOf(rows.keySet()),
                "PgBouncer's rows first, in their order");
        return rows;
    }

    /** Runs {@code sql}, which is to fail: the SQLSTATE it failed with and the message. */
    private static String sqlStateOf(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState() + " (" + e.getMessage() + ")";
        }
    }

    private Connection direct() throws SQLException {
        return cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
    }

    private static void assertLastLineIsStopped(LogCapture logs, String kind) {
        List<String> stopped = logs.linesWith("pgmux stopped");
        assertEquals(1, stopped.size(), stopped.toString());
        assertTrue(stopped.get(0).matches(".* INFO .*pgmux stopped \\(" + kind + " shutdown in \\d+ ms\\)"),
                stopped.get(0));
        List<String> all = logs.linesWith("");
        assertEquals(stopped.get(0), all.get(all.size() - 1), "the last line logged");
    }
}
