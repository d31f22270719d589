package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmux.testing.BackendSampler;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** pgbench's TPC-B-like load, 100 clients on 10 servers in transaction mode, simple and extended protocol. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PgbenchIT {
    private static final Logger log = LoggerFactory.getLogger(PgbenchIT.class);
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    private static PostgresCluster cluster;
    private static Path pgbench;

    @BeforeAll
    static void initialise(PostgresCluster shared) throws Exception {
        cluster = shared;
        assumeTrue(shared.binDir() != null, "no local PostgreSQL binaries");
        pgbench = Path.of(shared.binDir(), "pgbench");
        assumeTrue(Files.isExecutable(pgbench), "no pgbench in " + shared.binDir());
        Result init = run(List.of("-i", "-s", "1", "-q", "-h", shared.host(), "-p", Integer.toString(shared.port()),
                "-U", ProxyFixture.APP_USER, ProxyFixture.APP_DB), 60);
        assertEquals(0, init.exit, "pgbench -i failed:\n" + init.output);
    }

    @Test
    void simpleProtocol() throws Exception {
        bench("simple", 100, 10);
    }

    @Test
    void extendedProtocol() throws Exception {
        bench("extended", 100, 10);
    }

    /**
     * Named prepared statements in transaction mode, with pgbench's synchronous PQprepare: a thread blocked
     * preparing for one client must not deadlock with its other clients holding every server in a transaction.
     */
    @Test
    void preparedProtocol() throws Exception {
        bench("prepared", 50, 5);
    }

    private void bench(String mode, int clients, int poolSize) throws Exception {
        ProxyFixture.Config config = ProxyFixture.config(cluster).poolSize(poolSize).set("max_client_connections", "500");
        try (ProxyFixture proxy = config.start();
             BackendSampler sampler = BackendSampler.of(cluster, ProxyFixture.APP_USER).database("app").start()) {
            Result result = run(List.of("-c", Integer.toString(clients), "-j", "2", "-T", "5", "-M", mode, "-h", proxy.host(),
                    "-p", Integer.toString(proxy.port()), "-U", ProxyFixture.APP_USER, ProxyFixture.APP_DB), 60);
            log.info("pgbench -M {} through pgmux:\n{}", mode, result.output);
            assertEquals(0, result.exit, "pgbench failed:\n" + result.output);
            Matcher processed = PROCESSED.matcher(result.output);
            assertTrue(processed.find(), "no transaction count in:\n" + result.output);
            assertTrue(Long.parseLong(processed.group(1)) > 0, "no transaction processed:\n" + result.output);
            Matcher failed = FAILED.matcher(result.output);
            if (failed.find()) {
                assertEquals("0", failed.group(1), "failed transactions:\n" + result.output);
            }
            assertTrue(sampler.max() <= poolSize, "app_user had " + sampler.max() + " backends; pool_size is " + poolSize);
            assertTrue(sampler.max() > 0, "the sampler never saw pgmux's servers");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(pgbench.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", ProxyFixture.APP_PASSWORD);
        pb.environment().put("PGSSLMODE", "disable");
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        Process process = pb.start();
        process.getOutputStream().close();
        // pgbench prints little; reading after exit cannot block on a full pipe.
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("pgbench did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
