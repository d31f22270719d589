package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.FreePort;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.SqlLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three pgmux.jar processes of one fleet, each under its own JDBC load, in front of the suite's PostgreSQL: the
 * database never shows the tenant above its pool_size, summed over the processes, and when one process is
 * SIGKILLed the survivors take its leases within seconds (after lease_reclaim_timeout: they cannot tell a dead
 * process from one that lost only its control connection) while their clients see no error. What FleetIT shows
 * with instances in one JVM, here with separate processes, as sidecars run.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetJarIT {
    private static final int BUDGET = 6;
    private static final int CLIENTS_PER_INSTANCE = 4;
    private static final String TENANT_BUDGET = "tenant main on database " + TestYaml.DATABASE;

    private final PostgresCluster cluster;
    @TempDir
    Path dir;

    FleetJarIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @AfterEach
    void noStrayBackends() throws SQLException {
        cluster.terminateBackends(null, TestYaml.USER);
    }

    /** One process of the fleet: the same budgets as the others, its own ports and instance id. */
    private PgmuxProcess start(String id) throws Exception {
        int port = FreePort.find();
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, TestYaml.of(cluster, port, FreePort.find(), BUDGET,
                "fleet: {enabled: true, name: fleet-jar-it, instance_id: " + id
                        + ", min_leases: 1, rebalance_interval: 50ms, lease_reclaim_timeout: 1s}\n"));
        return PgmuxProcess.start(file, port, dir.resolve(id + ".log"));
    }

    /** The fleet's processes, started side by side (each JVM's start-up is most of the test's time). */
    private final class Processes implements AutoCloseable {
        final List<PgmuxProcess> started = new ArrayList<>();

        Processes(String... ids) throws Exception {
            List<CompletableFuture<PgmuxProcess>> starting = new ArrayList<>();
            for (String id : ids) {
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return start(id);
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }));
            }
            Throwable failure = null;
            for (CompletableFuture<PgmuxProcess> process : starting) {
                try {
                    started.add(process.join());
                } catch (CompletionException e) {
                    failure = e.getCause();
                }
            }
            if (failure != null) {
                close();
                throw new AssertionError("a process of the fleet did not start", failure);
            }
        }

        @Override
        public void close() {
            started.forEach(PgmuxProcess::close);
        }
    }

    private static Connection client(int port, String database, Properties extra) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", TestYaml.USER);
        properties.setProperty("password", TestYaml.PASSWORD);
        properties.setProperty("sslmode", "disable");
        properties.setProperty("loginTimeout", "30");
        properties.putAll(extra);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, properties);
    }

    /** Leases per instance id on the tenant's budget, from SHOW FLEET on the console of the process at {@code port}. */
    private static Map<String, Integer> leases(int port) throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        Map<String, Integer> leases = new HashMap<>();
        try (Connection console = client(port, "pgmux", simple); Statement s = console.createStatement();
             ResultSet rs = s.executeQuery("SHOW FLEET")) {
            while (rs.next()) {
                if (rs.getString("budget").equals(TENANT_BUDGET)) {
                    leases.merge(rs.getString("instance"), rs.getInt("leases"), Integer::sum);
                }
            }
        }
        return leases;
    }

    @Test
    void threeProcessesNeverExceedTheBudgetAndTheSurvivorsTakeTheShareOfOneKilled() throws Exception {
        try (BackendSampler sampler = BackendSampler.of(cluster, TestYaml.USER).database(TestYaml.DATABASE)
                .serversOnly().every(Duration.ofMillis(100)).start();
             Processes fleet = new Processes("fja", "fjb", "fjc")) {
            PgmuxProcess a = fleet.started.get(0);
            PgmuxProcess b = fleet.started.get(1);
            PgmuxProcess c = fleet.started.get(2);
            // The budget check each process runs at start logs in as the tenant's user: until its query runs, the
            // sampler cannot tell it from a server connection. The load starts once every check is done.
            for (PgmuxProcess each : fleet.started) {
                Await.until(Duration.ofSeconds(30), () -> !each.logLines("connection budgets").isEmpty(),
                        "the budget check of the process on port " + each.port());
            }
            SqlLoad loadA = load(a);
            SqlLoad loadB = load(b);
            SqlLoad loadC = load(c);
            try {
                awaitOrExplain(Duration.ofSeconds(20), () -> loadA.done() > 100 && loadB.done() > 100
                        && loadC.done() > 100, "every process to serve its load", List.of(a, b, c),
                        List.of(loadA, loadB, loadC));
                Await.untilChecked(Duration.ofSeconds(10), () -> {
                    Map<String, Integer> seen = leases(a.port());
                    return seen.keySet().equals(Set.of("fja", "fjb", "fjc"))
                            && seen.values().stream().allMatch(n -> n >= 1);
                }, "SHOW FLEET to list the three processes, each holding a lease");

                loadC.expectCut();
                long killed = System.nanoTime();
                c.kill();
                Await.untilChecked(Duration.ofSeconds(10), () -> {
                    Map<String, Integer> seen = leases(a.port());
                    return !seen.containsKey("fjc")
                            && seen.getOrDefault("fja", 0) + seen.getOrDefault("fjb", 0) == BUDGET;
                }, "the survivors to hold the killed process's leases");
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertTrue(tookMillis < 5_000, "the survivors took the share in " + tookMillis + " ms");
                Await.until(Duration.ofSeconds(10), () -> sampler.last() == BUDGET,
                        "the survivors to use all " + BUDGET + " server connections");
                long doneA = loadA.done();
                long doneB = loadB.done();
                Await.until(Duration.ofSeconds(10), () -> loadA.done() > doneA + 100
                        && loadB.done() > doneB + 100, "the survivors to keep serving");
                System.out.printf("FleetJarIT: the survivors held the killed process's leases %d ms after SIGKILL%n",
                        tookMillis);
            } finally {
                loadA.stop();
                loadB.stop();
                loadC.stop();
            }
            assertEquals(List.of(), loadA.errors(), "no client of a survivor sees an error");
            assertEquals(List.of(), loadB.errors(), "no client of a survivor sees an error");
            assertTrue(sampler.samples() >= 10, "the sampler ran: " + sampler.samples() + " samples");
            assertTrue(sampler.max() <= BUDGET, "the tenant had " + sampler.max()
                    + " server connections at once, over its fleet budget of " + BUDGET);
        }
    }

    /** Clients of {@code process} running 5 ms transactions until stopped. */
    private static SqlLoad load(PgmuxProcess process) {
        return new SqlLoad("fleet-load-" + process.port(), CLIENTS_PER_INSTANCE,
                () -> client(process.port(), TestYaml.DATABASE, new Properties()));
    }

    /** Awaits the condition; on a timeout the failure carries each load's count and errors and each log's tail. */
    private static void awaitOrExplain(Duration timeout, java.util.function.BooleanSupplier condition,
                                       String description, List<PgmuxProcess> processes, List<SqlLoad> loads) {
        try {
            Await.until(timeout, condition, description);
        } catch (AssertionError e) {
            StringBuilder state = new StringBuilder(e.getMessage());
            for (SqlLoad load : loads) {
                state.append("\nload: ").append(load.done()).append(" transactions, errors ").append(load.errors());
            }
            for (PgmuxProcess process : processes) {
                List<String> lines = process.log().lines().toList();
                state.append("\n--- log of the process on ").append(process.port()).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
            throw new AssertionError(state.toString(), e);
        }
    }

}
