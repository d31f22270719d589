package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The console as operators use it: psql against a running pgmux, reading SHOW SERVERS while a client holds a
 * transaction, pausing and resuming, disabling a database, and changing settings with SET.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsolePsqlIT {
    private static final Path PSQL = Path.of("/usr/lib/postgresql/15/bin/psql");
    private static final String ADMIN = "pgadmin";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private final PostgresCluster cluster;

    ConsolePsqlIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture start() {
        assumeTrue(Files.isExecutable(PSQL), "no psql at " + PSQL);
        return ProxyFixture.config(cluster).poolSize(2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(ADMIN, ADMIN_PASSWORD, null)
                .set("admin", "{users: [" + ADMIN + "]}").start();
    }

    /** What psql printed for {@code commands} (one session, unaligned, '|' between cells, errors with SQLSTATE). */
    private static String psql(ProxyFixture proxy, String... commands) throws Exception {
        List<String> argv = new ArrayList<>(List.of(PSQL.toString(), "-X", "-A", "-F", "|", "-P", "footer=off",
                "-v", "VERBOSITY=verbose", "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U", ADMIN,
                "-d", "pgmux"));
        for (String each : commands) {
            argv.add("-c");
            argv.add(each);
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", ADMIN_PASSWORD);
        builder.environment().put("PGSSLMODE", "disable");
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "psql finished");
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The rows of one SHOW that psql printed alone, each by column name. */
    private static List<Map<String, String>> table(String out) {
        String[] lines = out.split("\n");
        List<String> header = Arrays.asList(lines[0].split("\\|", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split("\\|", -1);
            assertEquals(header.size(), cells.length, "a row of " + out);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < cells.length; c++) {
                row.put(header.get(c), cells[c]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<Map<String, String>> show(ProxyFixture proxy, String what) throws Exception {
        return table(psql(proxy, "SHOW " + what));
    }

    private static Map<String, String> keyValues(ProxyFixture proxy, String what) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map<String, String> row : show(proxy, what)) {
            values.put(row.get("key"), row.get("value"));
        }
        return values;
    }

    private static Map<String, String> row(List<Map<String, String>> rows, String column, String value) {
        return rows.stream().filter(r -> value.equals(r.get(column))).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + column + " = " + value + " in " + rows));
    }

    @Test
    void showServersListsTheServerAClientHoldsInATransaction() throws Exception {
        try (ProxyFixture proxy = start()) {
            Properties prepared = new Properties();
            prepared.setProperty("prepareThreshold", "1");
            try (Connection app = proxy.connect(prepared)) {
                try (PreparedStatement ps = app.prepareStatement("select ?::int + 1")) {
                    ps.setInt(1, 41);
                    ps.executeQuery().close();
                }
                app.setAutoCommit(false);
                int pid = Sql.pid(app); // the transaction holds the server from here on

                List<Map<String, String>> servers = show(proxy, "SERVERS");
                Map<String, String> server = row(servers, "remote_pid", Integer.toString(pid));
                assertEquals("S", server.get("type"));
                assertEquals("active", server.get("state"));
                assertEquals(ProxyFixture.APP_USER, server.get("user"));
                assertEquals(ProxyFixture.APP_DB, server.get("database"));
                assertEquals(Integer.toString(cluster.port()), server.get("port"));
                assertEquals("", server.get("tls"), "the suite's cluster speaks no TLS");
                assertEquals(ProxyFixture.DEFAULT_TENANT, server.get("tenant"));
                assertFalse(server.get("link").isEmpty(), "linked to its client");
                assertTrue(Integer.parseInt(server.get("prepared_statements")) >= 1, server.toString());

                Map<String, String> client = row(show(proxy, "CLIENTS"), "ptr", server.get("link"));
                assertEquals(server.get("ptr"), client.get("link"));
                assertEquals("active", client.get("state"));
                assertEquals("", client.get("tls"));
                // With prepareThreshold=1 pgjdbc names both statements it ran: the select and Sql.pid's query.
                assertEquals("2", client.get("prepared_statements"), client.toString());
                app.rollback();
            }
            // Back in the pool: idle, linked to nobody.
            Await.untilChecked(Duration.ofSeconds(10), () -> {
                List<Map<String, String>> servers = show(proxy, "SERVERS");
                return !servers.isEmpty() && servers.stream().allMatch(s -> "idle".equals(s.get("state"))
                        && s.get("link").isEmpty());
            }, "servers idle once the client has gone");
        }
    }

    @Test
    void pauseHoldsQueriesUntilResumeAndStateAndDatabasesShowIt() throws Exception {
        try (ProxyFixture proxy = start(); Connection app = proxy.connect()) {
            assertEquals("1", Sql.one(app, "select 1"));
            String paused = psql(proxy, "PAUSE " + ProxyFixture.APP_DB);
            assertTrue(paused.contains("PAUSE"), paused);
            assertEquals("1", row(show(proxy, "DATABASES"), "name", ProxyFixture.APP_DB).get("paused"));
            assertEquals("yes", keyValues(proxy, "STATE").get("active"), "one database's pause is not pgmux's");

            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return Sql.one(app, "select 2");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(Duration.ofSeconds(10), () -> proxy.appSnapshot().clientsWaiting() == 1,
                    "the query to wait for RESUME");
            assertFalse(held.isDone());
            psql(proxy, "RESUME " + ProxyFixture.APP_DB);
            assertEquals("2", held.get(10, TimeUnit.SECONDS), "served after RESUME, without an error");
            assertEquals("0", row(show(proxy, "DATABASES"), "name", ProxyFixture.APP_DB).get("paused"));

            String state = psql(proxy, "PAUSE", "SHOW STATE", "RESUME", "SUSPEND", "SHOW STATE", "RESUME",
                    "SHOW STATE");
            assertTrue(state.contains("key|value\nactive|no\npaused|yes\nsuspended|no\nstate|serving\n"), state);
            assertTrue(state.contains("key|value\nactive|no\npaused|no\nsuspended|yes\nstate|serving\n"), state);
            assertTrue(state.endsWith("key|value\nactive|yes\npaused|no\nsuspended|no\nstate|serving\n"), state);

            psql(proxy, "DISABLE " + ProxyFixture.APP_DB);
            assertEquals("1", row(show(proxy, "DATABASES"), "name", ProxyFixture.APP_DB).get("disabled"));
            psql(proxy, "ENABLE " + ProxyFixture.APP_DB);
            assertEquals("0", row(show(proxy, "DATABASES"), "name", ProxyFixture.APP_DB).get("disabled"));
            assertEquals("3", Sql.one(app, "select 3"));
        }
    }

    @Test
    void setChangesALiveSettingAndRefusesTheOthersWithTheReason() throws Exception {
        try (ProxyFixture proxy = start(); Connection app = proxy.connect()) {
            String set = psql(proxy, "SET query_timeout = 1s");
            assertTrue(set.contains("SET"), set);
            assertFalse(set.contains("ERROR"), set);
            Map<String, String> query = row(show(proxy, "CONFIG"), "key", "query_timeout");
            assertEquals("1s", query.get("value"));
            assertEquals("yes", query.get("changeable"));
            assertEquals(Duration.ofSeconds(1), proxy.pools().config().timeouts().queryTimeout());
            SQLException cancelled = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                    () -> Sql.one(app, "select pg_sleep(5)::text"));
            assertEquals("57014", cancelled.getSQLState(), "query_timeout in force: " + cancelled.getMessage());

            assertTrue(psql(proxy, "SET listen.port = 7000").contains("ERROR:  55P02"), "restart only");
            String fleet = psql(proxy, "SET fleet.name = other");
            assertTrue(fleet.contains("ERROR:  55P02"), fleet);
            assertTrue(fleet.contains("parameter \"fleet.name\" cannot be changed without restarting pgmux"), fleet);
            assertTrue(psql(proxy, "SET default_pool_size = 7").contains("ERROR:  55P02"), "file only");
            String tls = psql(proxy, "SET client_tls_sslmode = require");
            assertTrue(tls.contains("ERROR:  55P02") && tls.contains("only in the configuration file"),
                    "a TLS setting is pgmux's, changed in the file: " + tls);
            assertTrue(psql(proxy, "SET no_such_setting = 1").contains("ERROR:  42704"), "unknown");
            String bad = psql(proxy, "SET query_wait_timeout = soon", "SHOW STATE");
            assertTrue(bad.contains("ERROR:  22023"), bad);
            assertTrue(bad.contains("active|yes"), "the session stays usable: " + bad);
            assertEquals("no", row(show(proxy, "CONFIG"), "key", "default_pool_size").get("changeable"));
            assertEquals(Duration.ofSeconds(20), proxy.pools().config().timeouts().queryWaitTimeout(),
                    "a refused SET changes nothing");
        }
    }
}
