package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.runtime.PgmuxServer;
import io.pgmux.testing.FreePort;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pgmux status} against a running pgmux: its tables, and its exit code for ready, paused and unreachable. */
@ExtendWith(PostgresExtension.class)
class StatusCommandIT {
    @TempDir
    static Path dir;
    private static Path file;
    private static PgmuxServer pgmux;
    private static int port;
    private static PostgresCluster cluster;

    @BeforeAll
    static void start(PostgresCluster shared) throws Exception {
        cluster = shared;
        port = FreePort.find();
        file = dir.resolve("pgmux.yaml");
        Files.writeString(file, TestYaml.of(cluster, port, FreePort.find(), 3, ""));
        pgmux = new PgmuxServer(ConfigLoader.load(file), file);
        pgmux.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pgmux != null) {
            pgmux.close();
        }
        cluster.terminateBackends(null, TestYaml.USER);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run status(Map<String, String> env, String... args) {
        return statusIn(Path.of(""), env, args);
    }

    /** Status run with {@code workingDirectory} as the directory a relative --config is found in. */
    private static Run statusIn(Path workingDirectory, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new StatusCommand(env, workingDirectory));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Connection client() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + TestYaml.DATABASE
                + "?sslmode=disable", TestYaml.USER, TestYaml.PASSWORD);
    }

    @Test
    void aReadyPgmuxPrintsItsPoolsAndTenantsAndExits0() throws Exception {
        try (Connection c = client(); Statement st = c.createStatement()) {
            st.execute("select 1");
            Run run = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "-c", file.toString());
            assertEquals(0, run.exit(), run.out() + run.err());
            String[] lines = run.out().split("\n");
            assertTrue(lines[0].matches("pgmux .* at 127\\.0\\.0\\.1:" + port + ": serving \\(ready\\); [0-9]+ clients?,"
                    + " [0-9]+ server connections?"), lines[0]);
            assertTrue(run.out().contains("\npools:\n  database  user      tenant  cl_active  cl_waiting"), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("  app +app_user +main +[0-9]+ +0 +.*transaction.*")),
                    run.out());
            assertTrue(run.out().contains("\ntenants:\n  tenant  database  budget  reserve  servers  in_use  waiting"
                    + "  utilization_pct\n"), run.out());
            // The client is between transactions: its server is held against the budget, not in use.
            assertTrue(run.out().lines().anyMatch(l -> l.matches("  main +app +3 +0 +[1-9][0-9]* +0 +0 +0\\.0")),
                    run.out());
        }
    }

    @Test
    void aPausedPgmuxIsNotReady() throws Exception {
        pgmux.control().pause(Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            Run run = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "--port", Integer.toString(port), "--user",
                    TestYaml.USER, "--config", dir.resolve("absent.yaml").toString());
            assertEquals(1, run.exit(), run.out() + run.err());
            // Without the health endpoint SHOW STATE names the state: the same line as with it.
            assertTrue(run.out().contains(": serving (not ready), paused; "), run.out());
            // With the health endpoint, whose readiness a PAUSE does not change: the line agrees with the exit code.
            Run withHealth = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "-c", file.toString());
            assertEquals(1, withHealth.exit(), withHealth.out() + withHealth.err());
            assertTrue(withHealth.out().contains(": serving (not ready), paused; "), withHealth.out());
        } finally {
            pgmux.control().resume(Optional.empty());
        }
    }

    @Test
    void aRefusedLoginNoPgmuxAndNoAddressAreErrors() {
        Run wrong = status(Map.of("PGPASSWORD", "not-the-password"), "-c", file.toString());
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("refused app_user: FATAL 28P01"), wrong.err());

        Run noPassword = status(Map.of(), "-c", file.toString());
        assertEquals(1, noPassword.exit());
        assertTrue(noPassword.err().contains("the console asks for the password of app_user; set PGPASSWORD"),
                noPassword.err());
        assertFalse(noPassword.err().contains("no answer"), "pgmux did answer: " + noPassword.err());

        Run nobody = status(Map.of("PGPASSWORD", "x"), "-p", Integer.toString(FreePort.find()), "-U", "someone",
                "-c", dir.resolve("absent.yaml").toString());
        assertEquals(1, nobody.exit());
        assertTrue(nobody.err().contains("no answer from pgmux at 127.0.0.1:"), nobody.err());

        Run noAddress = status(Map.of(), "-c", dir.resolve("absent.yaml").toString());
        assertEquals(2, noAddress.exit());
        assertTrue(noAddress.err().contains("pass --port and --user"), noAddress.err());
    }

    @Test
    void aPgmuxThatRequiresTlsIsReadOverTlsAndItsCertificateChecked() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "status");
        int tlsPort = FreePort.find();
        Path tlsFile = dir.resolve("tls.yaml");
        Files.writeString(tlsFile, TestYaml.of(cluster, tlsPort, FreePort.find(), 3,
                "client_tls_sslmode: require\nclient_tls_cert_file: " + certs.server().cert()
                        + "\nclient_tls_key_file: " + certs.server().key() + "\n"));
        try (PgmuxServer tls = new PgmuxServer(ConfigLoader.load(tlsFile), tlsFile)) {
            tls.start();
            Map<String, String> env = Map.of("PGPASSWORD", TestYaml.PASSWORD);
            Run prefer = status(env, "-c", tlsFile.toString());
            assertEquals(0, prefer.exit(), prefer.out() + prefer.err());
            assertTrue(prefer.out().contains("serving (ready)"), prefer.out());

            Run verified = status(Map.of("PGPASSWORD", TestYaml.PASSWORD, "PGSSLMODE", "verify-full",
                    "PGSSLROOTCERT", certs.caCert().toString()), "-c", tlsFile.toString());
            assertEquals(0, verified.exit(), verified.out() + verified.err());

            TestCertificates stranger = TestCertificates.create(dir, "stranger");
            Run untrusted = status(env, "-c", tlsFile.toString(), "--sslmode", "verify-ca", "--sslrootcert",
                    stranger.caCert().toString());
            assertEquals(1, untrusted.exit(), untrusted.out() + untrusted.err());
            assertTrue(untrusted.err().contains("no TLS to pgmux at 127.0.0.1:" + tlsPort + ": could not verify the"
                    + " server certificate of 127.0.0.1:" + tlsPort + ": no certificate in --sslrootcert ("
                    + stranger.caCert() + ") signed it\nDETAIL: The certificate \"CN=localhost\" was issued by"
                    + " \"CN=status test CA\".\nHINT: Set --sslrootcert to the certificate of the CA that issued"
                    + " pgmux's certificate (its client_tls_cert_file); --sslmode verify-ca and verify-full accept no"
                    + " other."), untrusted.err());
            Run runtimeCas = status(env, "-c", tlsFile.toString(), "--sslmode", "verify-full");
            assertEquals(1, runtimeCas.exit(), runtimeCas.out() + runtimeCas.err());
            assertTrue(runtimeCas.err().contains(": no CA the Java runtime trusts signed it\n"), runtimeCas.err());
            assertTrue(!runtimeCas.err().contains("sun.security") && !runtimeCas.err().contains("PKIX"),
                    runtimeCas.err());

            Run plain = status(env, "-c", tlsFile.toString(), "--sslmode", "disable");
            assertEquals(1, plain.exit(), plain.out() + plain.err());
            assertTrue(plain.err().contains("refused app_user: FATAL 28000"), plain.err());
        }
        Run noTls = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "-c", file.toString(), "--sslmode", "require");
        assertEquals(1, noTls.exit(), noTls.out() + noTls.err());
        assertTrue(noTls.err().contains("no TLS to pgmux at 127.0.0.1:" + port + ": pgmux does not offer TLS"),
                noTls.err());
        Run bad = status(Map.of(), "-c", file.toString(), "--sslmode", "sometimes");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("unknown sslmode \"sometimes\""), bad.err());
    }

    @Test
    void passwordsOfTheFileNeedNotBeInTheEnvironment() throws Exception {
        Path withVariables = dir.resolve("variables.yaml");
        Files.writeString(withVariables, Files.readString(file)
                .replace("password: " + TestYaml.PASSWORD, "password: \"${SHOP_PW}\"")
                + "server_reset_query: ${RESET_QUERY}\n");
        Run run = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "-c", withVariables.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("pgmux "), run.out());
        // The file is still checked otherwise: a bad value of any setting is refused.
        Files.writeString(withVariables, Files.readString(withVariables) + "pool_mode: ${MODE\n");
        Run bad = status(Map.of("PGPASSWORD", TestYaml.PASSWORD), "-c", withVariables.toString());
        assertEquals(2, bad.exit(), bad.out() + bad.err());
        assertTrue(bad.err().contains("pool_mode: unterminated"), bad.err());
    }

    @Test
    void withPortAndUserTheDefaultFileIsNotRead() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("pgmux.yaml"), "listen: {port: not-a-port}\n");
        Map<String, String> env = Map.of("PGPASSWORD", TestYaml.PASSWORD);
        Run given = statusIn(elsewhere, env, "--port", Integer.toString(port), "--user", TestYaml.USER);
        assertEquals(0, given.exit(), given.out() + given.err());
        Run fromPguser = statusIn(elsewhere, Map.of("PGPASSWORD", TestYaml.PASSWORD, "PGUSER", TestYaml.USER),
                "-p", Integer.toString(port));
        assertEquals(0, fromPguser.exit(), fromPguser.out() + fromPguser.err());
        // Without the user, or with the file named, it is read (and here refused).
        Run noUser = statusIn(elsewhere, env, "--port", Integer.toString(port));
        assertEquals(2, noUser.exit(), noUser.out() + noUser.err());
        assertTrue(noUser.err().contains("pgmux.yaml is not valid:\n"), noUser.err());
        assertTrue(noUser.err().contains("pgmux.yaml:1: listen.port: "), noUser.err());
        Run named = statusIn(elsewhere, env, "--port", Integer.toString(port), "--user", TestYaml.USER,
                "-c", "pgmux.yaml");
        assertEquals(2, named.exit(), named.out() + named.err());
    }
}
