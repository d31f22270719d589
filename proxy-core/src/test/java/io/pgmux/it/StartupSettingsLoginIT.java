package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestRole;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A startup setting the database rejects ({@code options=-c ...}) fails the login through pgmux as it fails a direct
 * connection's: pgjdbc's getConnection and psql's connect fail with PostgreSQL's FATAL, whether or not the pool has
 * greeted a client before. A setting it takes is in force from the first query; a rejected one costs the pool no
 * server.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StartupSettingsLoginIT {
    private static final List<String> REJECTED = List.of("-c nosuch_setting=1", "-c statement_timeout=abc");

    private final PostgresCluster cluster;

    StartupSettingsLoginIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static Properties options(String options) {
        Properties props = new Properties();
        props.setProperty("options", options);
        return props;
    }

    /** A direct pgjdbc connection as app_user, with the same startup options a proxied client used. */
    private Connection direct(String options) throws SQLException {
        Properties props = options(options);
        props.setProperty("user", TestRole.APP.user());
        props.setProperty("password", TestRole.APP.password());
        props.setProperty("sslmode", "disable");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "20");
        return DriverManager.getConnection(cluster.jdbcUrl(TestRole.APP_DATABASE), props);
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void failsAsDirect(ProxyFixture proxy, String options, String when) {
        SQLException direct = assertThrows(SQLException.class, () -> direct(options).close(), options);
        SQLException proxied = assertThrows(SQLException.class, () -> proxy.connect(options(options)).close(),
                options + " " + when);
        assertEquals(direct.getSQLState(), proxied.getSQLState(), options + " " + when + ": " + proxied);
        assertEquals(direct.getMessage(), proxied.getMessage(), options + " " + when);
    }

    @Test
    void aRejectedSettingFailsTheLoginOnAColdAndAWarmPool() throws Exception {
        for (String options : REJECTED) {
            try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
                // No server yet: the login waits for the pool's first one.
                failsAsDirect(proxy, options, "on a cold pool");
                try (Connection good = proxy.connect()) {
                    backendPid(good);
                }
                // The pool knows what to greet with now; the settings are still new to it.
                failsAsDirect(proxy, options, "on a warm pool");
                failsAsDirect(proxy, options, "again");
            }
        }
        SQLException unknown = assertThrows(SQLException.class, () -> direct(REJECTED.get(0)).close());
        assertEquals("42704", unknown.getSQLState(), "PostgreSQL's own code, as the comparison above saw it");
        SQLException badValue = assertThrows(SQLException.class, () -> direct(REJECTED.get(1)).close());
        assertEquals("22023", badValue.getSQLState());
    }

    /**
     * A setting PostgreSQL takes only at connection start works on a direct connection; a pool's servers started
     * before the client came, so the login fails with the database's 55P02 and a hint of where else to set it.
     */
    @Test
    void aSettingTakenOnlyAtConnectionStartFailsTheLoginWithAHint() throws Exception {
        String options = "-c ignore_system_indexes=on";
        try (Connection d = direct(options)) {
            assertEquals("on", show(d, "ignore_system_indexes"));
        }
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            SQLException refused = assertThrows(SQLException.class, () -> proxy.connect(options(options)).close());
            assertEquals("55P02", refused.getSQLState());
            ServerErrorMessage error = ((PSQLException) refused).getServerErrorMessage();
            assertEquals("FATAL", error.getSeverity());
            assertTrue(error.getHint() != null && error.getHint().contains("ALTER ROLE ... SET"), error.toString());
        }
    }

    @Test
    void aSettingTheDatabaseTakesIsInForceFromTheFirstQuery() throws Exception {
        String options = "-c statement_timeout=1234";
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             Connection d = direct(options)) {
            for (String when : List.of("cold", "first of its settings on a warm pool", "settings known")) {
                try (Connection c = proxy.connect(options(options))) {
                    assertEquals(show(d, "statement_timeout"), show(c, "statement_timeout"), when);
                }
            }
        }
    }

    @Test
    void aRejectedLoginGivesItsServerBackToThePool() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            int pid;
            try (Connection good = proxy.connect()) {
                pid = backendPid(good);
            }
            for (String options : REJECTED) {
                assertThrows(SQLException.class, () -> proxy.connect(options(options)).close(), options);
                // The pool's one server served the rejected login and is at once the next client's, the same
                // backend: the failed alignment rolled back, nothing of the client's reached it.
                try (Connection good = proxy.connect()) {
                    assertEquals(pid, backendPid(good), "the same server after " + options);
                    assertEquals("0", show(good, "statement_timeout"));
                }
            }
            assertEquals(1, cluster.countBackends(TestRole.APP_DATABASE, TestRole.APP.user()));
        }
    }

    @Test
    void psqlFailsToConnectAsDirect() throws Exception {
        Path psql = Path.of(cluster.binDir(), "psql");
        assumeTrue(Files.isExecutable(psql), "no psql at " + psql);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start()) {
            for (String options : List.of("-cnosuch_setting%3D1", "-cstatement_timeout%3Dabc")) {
                String direct = runPsql(psql, cluster.host(), cluster.port(), options, 2);
                String proxied = runPsql(psql, proxy.host(), proxy.port(), options, 2);
                assertEquals(errorLine(direct), errorLine(proxied), proxied);
            }
            runPsql(psql, proxy.host(), proxy.port(), "-cstatement_timeout%3D1234", 0);
        }
    }

    /** Runs {@code select 1} with psql, expecting {@code exitCode}: returns what it printed. */
    private static String runPsql(Path psql, String host, int port, String options, int exitCode) throws Exception {
        String url = "postgresql://" + TestRole.APP.user() + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + port + "/" + TestRole.APP_DATABASE + "?sslmode=disable&options=" + options;
        ProcessBuilder builder = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", url, "-c", "select 1")
                .redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", TestRole.APP.password());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "psql finished");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(exitCode, process.exitValue(), out);
        return out;
    }

    /** psql's report without the address it connected to: the first FATAL line, from the FATAL on. */
    private static String errorLine(String out) {
        int fatal = out.indexOf("FATAL:");
        assertTrue(fatal >= 0, out);
        int end = out.indexOf('\n', fatal);
        return out.substring(fatal, end < 0 ? out.length() : end).strip();
    }
}
