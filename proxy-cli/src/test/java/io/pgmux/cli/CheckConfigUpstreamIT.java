package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.FreePort;
import io.pgmux.testing.PgHbaFile;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code check-config --upstream} where server_tls_sslmode and the server disagree on TLS, and says what to set: a
 * server whose pg_hba.conf takes only {@code hostssl} with sslmode disable (require reads its slots), and a server
 * without TLS with require.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CheckConfigUpstreamIT {
    private static final Path DIR = tempDir();
    private static final TestCertificates CERTS = TestCertificates.create(DIR, "pgmux");

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.withSettings(
            PostgresCluster.Settings.defaults().withTls(CERTS));

    private final PostgresCluster cluster;

    CheckConfigUpstreamIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("pgmux-check-config-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run checkUpstream(String sslmode) throws IOException {
        return checkUpstream(cluster, sslmode);
    }

    private static Run checkUpstream(PostgresCluster cluster, String sslmode) throws IOException {
        Path file = Files.writeString(DIR.resolve("pgmux-" + cluster.port() + "-" + sslmode + ".yaml"),
                TestYaml.of(cluster, FreePort.find(), FreePort.find(), 2, "server_tls_sslmode: " + sslmode + "\n"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CheckConfigCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute("--upstream", file.toString());
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aServerThatTakesOnlyTlsIsAnsweredWithTheSettingToChange() throws Exception {
        PgHbaFile hba = new PgHbaFile(cluster);
        List<String> original = hba.lines();
        try {
            hba.write(List.of("local all all trust", "host all postgres 127.0.0.1/32 trust",
                    "hostssl all all 127.0.0.1/32 scram-sha-256"));
            Run refused = checkUpstream("disable");
            assertEquals(1, refused.exit(), refused.out() + refused.err());
            String who = "user \"" + TestYaml.USER + "\"";
            String where = "database \"" + TestYaml.DATABASE + "\"";
            assertTrue(refused.out().contains("could not read its connection limits as " + who + " on " + where
                    + ": no pg_hba.conf entry for host \"127.0.0.1\", " + who + ", " + where + ", no encryption\n"
                    + "  hint: The database takes only TLS connections and pgmux connected without TLS"
                    + " (server_tls_sslmode disable): set server_tls_sslmode: require in pgmux.yaml"), refused.out());
            Run read = checkUpstream("require");
            assertEquals(0, read.exit(), read.out() + read.err());
            assertTrue(read.out().contains("max_connections"), read.out());
        } finally {
            hba.write(original);
        }
    }

    @Test
    void aServerWithoutTlsIsAnsweredWithTheSettingToChange() throws Exception {
        Run refused = checkUpstream(PostgresCluster.shared(), "require");
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.out().contains("server does not support SSL, but SSL was required\n  hint: The server does"
                + " not take TLS connections and server_tls_sslmode requires them: set server_tls_sslmode: prefer"),
                refused.out());
    }
}
