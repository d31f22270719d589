package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.columns;
import static io.pgmux.admin.ConsoleChannel.names;
import static io.pgmux.admin.ConsoleChannel.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmux.admin.ConsoleChannel.Column;
import io.pgmux.testing.BackendMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the prometheus-community pgbouncer_exporter (v0.12) does on every scrape, against the console over the
 * live view: one lib/pq connection whose startup packet carries extra_float_digits=2, then its queries in its
 * order. Every query must succeed (one failure and the exporter reports pgbouncer_up 0), SHOW VERSION must have
 * exactly the column version, SHOW LISTS exactly two, SHOW CONFIG three or four, and every column the exporter
 * reads by name must be there, with values it can parse as numbers (lib/pq hands int4, int8 as integers and
 * numeric, text as bytes it parses).
 */
class AdminExporterSequenceTest {
    private final TestProxy proxy = new TestProxy();
    private ConsoleChannel exporter;

    @BeforeEach
    void connect() {
        proxy.pools.pool("app", "api");
        proxy.pools.pool("reports", "etl");
        // What lib/pq puts in the startup packet, beyond user and database.
        exporter = ConsoleChannel.open(proxy.console(), AdminRole.STATS, Map.of("user", "monitor",
                "database", "pgmux", "extra_float_digits", "2", "client_encoding", "UTF8", "datestyle", "ISO, MDY"));
        List<BackendMessage> greeting = exporter.received();
        assertEquals('Z', greeting.get(greeting.size() - 1).type(), "logged in: " + greeting);
    }

    @AfterEach
    void close() {
        exporter.close();
    }

    @Test
    void aWholeScrape() {
        answer("SHOW STATS");

        List<BackendMessage> version = answer("SHOW VERSION;");
        assertEquals(List.of("version"), names(columns(version.get(0))));
        assertTrue(rows(version).get(0).get(0).contains("PgBouncer 1.25.2"), rows(version).toString());

        List<BackendMessage> lists = answer("SHOW LISTS;");
        assertEquals(2, columns(lists.get(0)).size());
        Map<String, String> items = new HashMap<>();
        for (List<String> row : rows(lists)) {
            items.put(row.get(0), row.get(1));
        }
        for (String each : List.of("databases", "users", "pools", "free_clients", "used_clients", "login_clients",
                "free_servers", "used_servers", "dns_names", "dns_zones", "dns_queries")) {
            assertNumber(items.get(each), "SHOW LISTS row " + each);
        }
        assertEquals("2", items.get("databases"));
        assertEquals("2", items.get("pools"));

        List<BackendMessage> config = answer("SHOW CONFIG;");
        int configColumns = columns(config.get(0)).size();
        assertTrue(configColumns == 3 || configColumns == 4, "SHOW CONFIG has " + configColumns + " columns");
        Map<String, String> settings = new HashMap<>();
        for (List<String> row : rows(config)) {
            settings.put(row.get(0), row.get(1));
        }
        assertNumber(settings.get("max_client_conn"), "SHOW CONFIG max_client_conn");
        assertNumber(settings.get("max_user_connections"), "SHOW CONFIG max_user_connections");

        List<BackendMessage> clients = answer("SHOW CLIENTS;");
        assertColumns(clients, Set.of("database", "user", "state", "application_name"), Set.of());

        List<BackendMessage> databases = answer("SHOW databases;");
        assertColumns(databases, Set.of("name", "host", "port", "database", "force_user", "pool_mode"),
                Set.of("pool_size", "reserve_pool_size", "max_connections", "current_connections", "paused",
                        "disabled"));

        List<BackendMessage> stats = answer("SHOW stats_totals;");
        assertColumns(stats, Set.of("database"), Set.of("query_count", "query_time", "bytes_received", "bytes_sent",
                "wait_time", "xact_count", "xact_time", "client_parse_count", "server_parse_count", "bind_count",
                "server_assignment_count"));
        assertEquals(2, rows(stats).size(), "a row per database with pools");

        List<BackendMessage> pools = answer("SHOW pools;");
        assertColumns(pools, Set.of("database", "user"), Set.of("cl_active", "cl_active_cancel_req", "cl_waiting",
                "cl_waiting_cancel_req", "sv_active", "sv_active_cancel", "sv_being_canceled", "sv_idle", "sv_used",
                "sv_tested", "sv_login", "maxwait"));
        assertEquals(2, rows(pools).size());
    }

    @Test
    void theScrapeWorksWithPgbouncersColumnsOnly() {
        exporter.close();
        exporter = ConsoleChannel.open(proxy.console(), AdminRole.STATS, Map.of("extra_float_digits", "2",
                "pgmux.extra_columns", "off"));
        exporter.received();
        assertEquals(17, columns(answer("SHOW pools;").get(0)).size());
        assertEquals(21, columns(answer("SHOW CLIENTS;").get(0)).size());
    }

    /** Runs a query that must succeed with one result set; returns its messages. */
    private List<BackendMessage> answer(String sql) {
        List<BackendMessage> answer = exporter.query(sql);
        for (BackendMessage each : answer) {
            if (each.type() == 'E') {
                fail(sql + " failed: " + each);
            }
        }
        assertEquals('T', answer.get(0).type(), sql);
        assertEquals("SHOW", answer.get(answer.size() - 2).commandTag(), sql);
        assertEquals('I', answer.get(answer.size() - 1).readyStatus(), sql);
        return answer;
    }

    /** The label columns are text (or int); the value columns are numbers in every row. */
    private static void assertColumns(List<BackendMessage> answer, Set<String> labels, Set<String> values) {
        List<Column> columns = columns(answer.get(0));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i).name(), i);
        }
        for (String each : labels) {
            assertTrue(index.containsKey(each), "label column " + each + " in " + names(columns));
            int type = columns.get(index.get(each)).typeOid();
            assertTrue(type == 25 || type == 23 || type == 20, each + " decodes as text or an integer: " + type);
        }
        for (String each : values) {
            assertTrue(index.containsKey(each), "value column " + each + " in " + names(columns));
            for (List<String> row : rows(answer)) {
                assertNumber(row.get(index.get(each)), each);
            }
        }
    }

    private static void assertNumber(String value, String what) {
        if (value == null) {
            fail(what + " is missing or NULL");
        }
        try {
            Double.parseDouble(value);
        } catch (NumberFormatException e) {
            fail(what + " is not a number: " + value);
        }
    }
}
