package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * server_tls_sslmode as libpq's sslmode, against the servers where the modes differ: one whose pg_hba.conf takes
 * only {@code hostssl} (allow then retries with TLS after the plaintext refusal, prefer starts with TLS, disable
 * gets the server's refusal), and one without TLS at all (allow and prefer go on in plaintext, require fails).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServerSslmodeIT {
    private static final Path DIR = tempDir();
    private static final TestCertificates CERTS = TestCertificates.create(DIR, "pgmux");

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.withSettings(
            PostgresCluster.Settings.defaults().withMaxConnections(30).withTls(CERTS));

    private final PostgresCluster cluster;

    ServerSslmodeIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("pgmux-sslmode-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProxyFixture pgmux(PostgresCluster server, String sslmode) {
        return ProxyFixture.start("workers: 2\nquery_wait_timeout: 10s\nserver_tls_sslmode: " + sslmode
                + "\ndatabases:\n  app: {host: " + server.host() + ", port: " + server.port() + "}\n"
                + "users:\n  - {name: app_user, password: app_pw}\n");
    }

    /** Whether app_user's server connection behind pgmux runs over TLS ("t") or not ("f"). */
    private static String ssl(ProxyFixture proxy) throws SQLException {
        try (Connection c = proxy.connect("app_user", "app_pw", "app")) {
            return Sql.one(c, "select ssl::text::char from pg_stat_ssl where pid = pg_backend_pid()");
        }
    }

    @Test
    void againstAServerThatTakesOnlyHostssl() throws Exception {
        List<String> original = hbaLines();
        try {
            writeHba(List.of("local all all trust", "host all postgres 127.0.0.1/32 trust",
                    "hostssl all all 127.0.0.1/32 scram-sha-256"));
            for (String mode : List.of("allow", "prefer", "require")) {
                try (ProxyFixture proxy = pgmux(cluster, mode)) {
                    assertEquals("t", ssl(proxy), mode);
                }
            }
            try (ProxyFixture proxy = pgmux(cluster, "disable")) {
                SQLException e = assertThrows(SQLException.class, () -> ssl(proxy));
                assertEquals("28000", e.getSQLState(), e.toString());
                assertTrue(e.getMessage().contains("no pg_hba.conf entry for host \"127.0.0.1\", user \"app_user\","
                        + " database \"app\", no encryption"), e.getMessage());
            }
        } finally {
            writeHba(original);
        }
    }

    @Test
    void againstAServerWithoutTls() throws Exception {
        PostgresCluster plain = PostgresCluster.shared();
        for (String mode : List.of("disable", "allow", "prefer")) {
            try (ProxyFixture proxy = pgmux(plain, mode)) {
                assertEquals("f", ssl(proxy), mode);
            }
        }
        try (ProxyFixture proxy = pgmux(plain, "require")) {
            SQLException e = assertThrows(SQLException.class, () -> ssl(proxy));
            assertTrue(e.getMessage().contains("server does not support SSL, but SSL was required"), e.getMessage());
        }
    }

    private List<String> hbaLines() throws SQLException {
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            String file = Sql.one(su, "show hba_file");
            String text = Sql.one(su, "select pg_read_file('" + file + "')");
            return List.of(text.split("\n"));
        }
    }

    /** Writes pg_hba.conf as the server's own user (COPY ... TO runs in the server) and reloads it. */
    private void writeHba(List<String> lines) throws SQLException {
        try (Connection su = cluster.superuser()) {
            String file = Sql.one(su, "show hba_file");
            List<String> literals = new ArrayList<>();
            lines.forEach(line -> literals.add("'" + line.replace("'", "''") + "'"));
            try (Statement st = su.createStatement()) {
                // COPY takes no parameters; the lines are ours or the file's own.
                st.execute("copy (select unnest(array[" + String.join(", ", literals) + "]::text[])) to '"
                        + file + "'");
                st.execute("select pg_reload_conf()");
            }
        }
        List<String> rules = new ArrayList<>();
        for (String each : lines) {
            if (!each.isBlank() && !each.startsWith("#")) {
                rules.add(each.trim().split("\\s+")[0]);
            }
        }
        // The reload is asynchronous: wait until the server's view of its rules is the file's.
        Await.untilChecked(Duration.ofSeconds(10), () -> {
            try (Connection su = cluster.superuser()) {
                return String.join(",", rules).equals(Sql.one(su, "select string_agg(type, ',' order by line_number)"
                        + " from pg_hba_file_rules"));
            }
        }, "pg_hba.conf reloaded");
    }
}
