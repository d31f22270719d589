package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.FreePort;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged pgmux.jar as an operator runs it, driven by signals: SIGTERM lets transactions finish, refuses new
 * clients as PostgreSQL does while it shuts down and exits 0 within shutdown_timeout; SIGINT or a second SIGTERM
 * sends every client FATAL 57P01 before closing it; SIGHUP under 200 clients
 * brings a new tenant budget from the file without a client error, and a broken file leaves the budget in force.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PgmuxJarIT {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);

    private final PostgresCluster cluster;
    @TempDir
    Path dir;
    private Path file;
    private int port;
    private int metricsPort;

    PgmuxJarIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void ports() {
        file = dir.resolve("pgmux.yaml");
        port = FreePort.find();
        metricsPort = FreePort.find();
    }

    @AfterEach
    void noStrayBackends() throws SQLException {
        cluster.terminateBackends(null, TestYaml.USER);
    }

    private void writeConfig(int poolSize, String extra) throws Exception {
        Files.writeString(file, TestYaml.of(cluster, port, metricsPort, poolSize,
                "shutdown_timeout: " + SHUTDOWN_TIMEOUT.toSeconds() + "s\n" + extra));
    }

    private PgmuxProcess start() throws Exception {
        return PgmuxProcess.start(file, port, dir.resolve("pgmux.log"));
    }

    private Connection client() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", TestYaml.USER);
        properties.setProperty("password", TestYaml.PASSWORD);
        properties.setProperty("sslmode", "disable");
        properties.setProperty("loginTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + TestYaml.DATABASE,
                properties);
    }

    @Test
    void sigtermLetsTransactionsFinishRefusesNewClientsAsPostgresDoesAndExits0() throws Exception {
        try (Connection direct = cluster.connect(TestYaml.DATABASE, TestYaml.USER, TestYaml.PASSWORD);
             Statement st = direct.createStatement()) {
            st.execute("drop table if exists jar_commits");
            st.execute("create table jar_commits (id bigint primary key)");
        }
        writeConfig(4, "");
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> endings = new CopyOnWriteArrayList<>();
        AtomicLong ids = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        try (PgmuxProcess pgmux = start(); Connection holder = client(); Statement held = holder.createStatement()) {
            for (int i = 0; i < 10; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = client(); Statement s = c.createStatement()) {
                        c.setAutoCommit(false);
                        while (true) {
                            long id = ids.incrementAndGet();
                            s.execute("insert into jar_commits values (" + id + ")");
                            s.execute("select pg_sleep(0.01)");
                            c.commit();
                            acknowledged.add(id);
                        }
                    } catch (SQLException e) {
                        endings.add(e.getSQLState());
                    }
                });
                t.start();
                workers.add(t);
            }
            holder.setAutoCommit(false);
            held.execute("insert into jar_commits values (-1)");
            Await.until(Duration.ofSeconds(60), () -> acknowledged.size() > 100, "commits to flow");

            long sigterm = System.nanoTime();
            pgmux.signal("TERM");
            Await.until(Duration.ofSeconds(10), () -> !pgmux.logLines("SIGTERM: shutting down gracefully").isEmpty(),
                    "pgmux to take the signal");
            SQLException refused = assertThrows(SQLException.class, this::client);
            assertEquals("57P03", refused.getSQLState(), refused.getMessage());

            // The transaction open at SIGTERM finishes; then its connection is closed with 57P01.
            held.execute("insert into jar_commits values (-2)");
            holder.commit();
            Await.untilChecked(SHUTDOWN_TIMEOUT.plusSeconds(5), () -> {
                try {
                    held.execute("select 1");
                    holder.commit();
                    return false;
                } catch (SQLException e) {
                    assertEquals("57P01", e.getSQLState(), e.getMessage());
                    return true;
                }
            }, "the holder to be closed between transactions");

            assertEquals(0, pgmux.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(10)), pgmux.log());
            assertTrue(System.nanoTime() - sigterm < SHUTDOWN_TIMEOUT.plusSeconds(5).toNanos(),
                    "exited within shutdown_timeout");
            List<String> lines = pgmux.log().lines().filter(line -> !line.isBlank()).toList();
            assertTrue(lines.get(lines.size() - 1).matches(".* INFO .*pgmux stopped \\(smart shutdown in \\d+ ms\\)"),
                    "the last line says pgmux stopped, and how: " + lines.get(lines.size() - 1));
            for (Thread t : workers) {
                t.join(10_000);
            }
        }
        assertEquals(10, endings.size(), endings::toString);
        assertEquals(Set.of("57P01"), Set.copyOf(endings), "every worker was closed between transactions");
        Set<Long> stored = new HashSet<>();
        try (Connection direct = cluster.connect(TestYaml.DATABASE, TestYaml.USER, TestYaml.PASSWORD);
             Statement st = direct.createStatement(); ResultSet rs = st.executeQuery("select id from jar_commits")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        }
        assertTrue(stored.containsAll(acknowledged), "every acknowledged commit is stored");
        assertTrue(stored.containsAll(Set.of(-1L, -2L)), "the transaction open at SIGTERM committed");
    }

    /**
     * SIGINT, or a second SIGTERM during the drain, is PostgreSQL's fast shutdown: the client inside a transaction
     * and the idle one each get FATAL 57P01 rather than a dropped connection, and pgmux exits 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM TERM"})
    void sigintOrASecondSigtermSendsEveryClient57P01(String signals) throws Exception {
        List<String> taken = signals.equals("INT") ? List.of("SIGINT: shutting down now")
                : List.of("SIGTERM: shutting down gracefully", "SIGTERM again: shutting down now");
        writeConfig(2, "");
        try (PgmuxProcess pgmux = start(); Connection idle = client(); Connection inTransaction = client();
             Connection direct = cluster.connect(TestYaml.DATABASE, TestYaml.USER, TestYaml.PASSWORD)) {
            try (Statement st = idle.createStatement()) {
                st.execute("select 1");
            }
            inTransaction.setAutoCommit(false);
            java.util.concurrent.CompletableFuture<String> sleeping = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> failure(inTransaction, "select pg_sleep(10)"));
            Await.untilChecked(Duration.ofSeconds(10), () -> {
                try (Statement st = direct.createStatement(); ResultSet rs = st.executeQuery("select count(*) from "
                        + "pg_stat_activity where state = 'active' and query like 'select pg_sleep%'")) {
                    return rs.next() && rs.getInt(1) == 1;
                }
            }, "the transaction's pg_sleep to run");
            String[] sent = signals.split(" ");
            for (int i = 0; i < sent.length; i++) {
                pgmux.signal(sent[i]);
                String line = taken.get(i);
                Await.until(Duration.ofSeconds(10), () -> !pgmux.logLines(line).isEmpty(), "pgmux to log " + line);
            }
            assertEquals(0, pgmux.awaitExit(Duration.ofSeconds(20)), pgmux.log());
            String cutOff = sleeping.get(10, TimeUnit.SECONDS);
            assertTrue(cutOff.startsWith("57P01 "), "the client inside a transaction: " + cutOff);
            String next = failure(idle, "select 2");
            assertTrue(next.startsWith("57P01 "), "the idle client, at its next statement: " + next);
        }
    }

    /** Runs {@code sql}, which is to fail: its SQLSTATE and message. */
    private static String failure(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState() + " (" + e.getMessage() + ")";
        }
    }

    @Test
    void sighupUnder200ClientsBringsTheNewBudgetAndABrokenFileLeavesIt() throws Exception {
        writeConfig(6, "");
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        // serversOnly: the budget check pgmux runs at start and after a reload logs in as the same user.
        try (BackendSampler sampler = BackendSampler.of(cluster, TestYaml.USER).database(TestYaml.DATABASE)
                .serversOnly().start();
             PgmuxProcess pgmux = start()) {
            for (int i = 0; i < 200; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = client(); Statement st = c.createStatement()) {
                        while (!stop.get()) {
                            st.execute("select pg_sleep(0.005)");
                            done.incrementAndGet();
                        }
                    } catch (SQLException | RuntimeException e) {
                        errors.add(e);
                    }
                });
                t.start();
                clients.add(t);
            }
            try {
                Await.until(Duration.ofSeconds(90), () -> done.get() > 2000
                        && !pgmux.logLines("connection budgets").isEmpty(), "200 clients to run");
                sampler.resetMax();
                int started = done.get();
                Await.until(Duration.ofSeconds(60), () -> done.get() > started + 500, "load under the first budget");
                assertTrue(sampler.max() <= 6, "pool_size 6 holds: " + sampler.max());

                int checks = pgmux.logLines("connection budgets").size();
                writeConfig(2, "");
                pgmux.signal("HUP");
                Await.until(Duration.ofSeconds(30), () -> !pgmux.logLines("SIGHUP: reload done").isEmpty(),
                        "the reload");
                // After a reload pgmux checks the budgets against the database on a connection of its own.
                Await.until(Duration.ofSeconds(30), () -> pgmux.logLines("connection budgets").size() > checks,
                        "the budget check after the reload");
                Await.until(Duration.ofSeconds(30), () -> sampler.last() <= 2, "the servers beyond pool_size 2 to"
                        + " close as they come back");
                sampler.resetMax();
                int before = done.get();
                Await.until(Duration.ofSeconds(60), () -> done.get() > before + 1000, "load under the new budget");
                assertTrue(sampler.max() <= 2, "pool_size 2 holds: " + sampler.max());

                Files.writeString(file, Files.readString(file).replace("pool_size: 2", "pool_size: lots"));
                pgmux.signal("HUP");
                Await.until(Duration.ofSeconds(30), () -> !pgmux.logLines("RELOAD refused").isEmpty(),
                        "the broken file to be refused");
                assertTrue(pgmux.log().contains("tenants.main.pool_size: expected"), pgmux.log());
                int after = done.get();
                Await.until(Duration.ofSeconds(60), () -> done.get() > after + 1000, "load after the refusal");
                assertTrue(sampler.max() <= 2, "pool_size 2 still holds: " + sampler.max());
            } finally {
                stop.set(true);
                for (Thread t : clients) {
                    t.join(30_000);
                }
            }
            assertEquals(List.of(), errors, "no client saw an error");
            pgmux.signal("TERM");
            assertEquals(0, pgmux.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(10)), pgmux.log());
        }
    }
}
