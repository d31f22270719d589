package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.runtime.UpstreamCheck;
import io.pgmux.testing.PgHbaFile;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

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
        PgHbaFile hba = new PgHbaFile(cluster);
        List<String> original = hba.lines();
        try {
            hba.write(List.of("local all all trust", "host all postgres 127.0.0.1/32 trust",
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
                String hint = ((PSQLException) e).getServerErrorMessage().getHint();
                assertTrue(hint.contains("(server_tls_sslmode disable): set server_tls_sslmode: require"), hint);
            }
            // What pgmux's start and check-config --upstream say of it: the refusal, then what to set.
            PgmuxConfig config = ConfigLoader.parse("server_tls_sslmode: disable\ndatabases:\n  app: {host: "
                    + cluster.host() + ", port: " + cluster.port() + "}\n"
                    + "users:\n  - {name: app_user, password: app_pw}\n", "hostssl.yaml", Map.of());
            UpstreamCheck.Result check = new UpstreamCheck(config).run().get(0);
            assertFalse(check.reached(), check.report());
            assertTrue(check.report().contains(", no encryption\n  hint: The database takes only TLS connections and"
                    + " pgmux connected without TLS (server_tls_sslmode disable): set server_tls_sslmode: require"),
                    check.report());
        } finally {
            hba.write(original);
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
            String hint = ((PSQLException) e).getServerErrorMessage().getHint();
            assertTrue(hint.contains("set server_tls_sslmode: prefer"), hint);
        }
        PgmuxConfig config = ConfigLoader.parse("server_tls_sslmode: require\ndatabases:\n  app: {host: "
                + plain.host() + ", port: " + plain.port() + "}\n"
                + "users:\n  - {name: app_user, password: app_pw}\n", "plain.yaml", Map.of());
        UpstreamCheck.Result check = new UpstreamCheck(config).run().get(0);
        assertFalse(check.reached(), check.report());
        assertTrue(check.report().contains("server does not support SSL, but SSL was required\n  hint: The server does"
                + " not take TLS connections and server_tls_sslmode requires them: set server_tls_sslmode: prefer"),
                check.report());
    }
}
