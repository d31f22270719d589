package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.columns;
import static io.pgmux.admin.ConsoleChannel.names;
import static io.pgmux.admin.ConsoleChannel.rows;
import static io.pgmux.admin.ConsoleChannel.types;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.admin.ConsoleChannel.Column;
import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.RunState;
import io.pgmux.testing.BackendMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every SHOW's columns on the wire: names and order, and types written as PgBouncer 1.25.2 writes its
 * RowDescriptions (src/admin.c: s text, i int4, q int8, N numeric, T a timestamp sent as text), pgmux's own
 * columns after PgBouncer's.
 */
class AdminShowLayoutTest {
    private final FakeView view = new FakeView();
    private ConsoleChannel admin;

    @BeforeEach
    void open() {
        admin = ConsoleChannel.open(new AdminConsole(view, new FakeControl(), "0.1.0"), AdminRole.ADMIN, Map.of());
        admin.received();
    }

    @AfterEach
    void close() {
        admin.close();
    }

    @Test
    void pools() {
        List<BackendMessage> answer = assertLayout("SHOW POOLS", "ssiiiiiiiiiiiiiss" + "sis",
                "database", "user", "cl_active", "cl_waiting", "cl_active_cancel_req", "cl_waiting_cancel_req",
                "sv_active", "sv_active_cancel", "sv_being_canceled", "sv_idle", "sv_used", "sv_tested", "sv_login",
                "maxwait", "maxwait_us", "pool_mode", "load_balance_hosts",
                "tenant", "pinned", "upstream_circuit");
        assertEquals(List.of(Arrays.asList("app", "api", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
                "2", "500000", "transaction", null, "web", "12", "closed")), rows(answer));
    }

    @Test
    void stats() {
        List<BackendMessage> answer = assertLayout("SHOW STATS", "s" + "N".repeat(22), "database",
                "total_server_assignment_count", "total_xact_count", "total_query_count", "total_received",
                "total_sent", "total_xact_time", "total_query_time", "total_wait_time", "total_client_parse_count",
                "total_server_parse_count", "total_bind_count",
                "avg_server_assignment_count", "avg_xact_count", "avg_query_count", "avg_recv", "avg_sent",
                "avg_xact_time", "avg_query_time", "avg_wait_time", "avg_client_parse_count",
                "avg_server_parse_count", "avg_bind_count");
        assertEquals(List.of(List.of("app", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
                "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31")), rows(answer));
    }

    @Test
    void statsTotals() {
        List<BackendMessage> answer = assertLayout("SHOW STATS_TOTALS", "s" + "N".repeat(11), "database",
                "server_assignment_count", "xact_count", "query_count", "bytes_received", "bytes_sent", "xact_time",
                "query_time", "wait_time", "client_parse_count", "server_parse_count", "bind_count");
        assertEquals(List.of(List.of("app", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")),
                rows(answer));
    }

    @Test
    void statsAverages() {
        List<BackendMessage> answer = assertLayout("SHOW STATS_AVERAGES", "s" + "N".repeat(11), "database",
                "server_assignment_count", "xact_count", "query_count", "bytes_received", "bytes_sent", "xact_time",
                "query_time", "wait_time", "avg_client_parse_count", "avg_server_parse_count", "avg_bind_count");
        assertEquals(List.of(List.of("app", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31")),
                rows(answer));
    }

    @Test
    void totals() {
        List<BackendMessage> answer = assertLayout("SHOW TOTALS", "sN", "name", "value");
        List<List<String>> rows = rows(answer);
        assertEquals(22, rows.size());
        assertEquals(List.of("total_server_assignment_count", "101"), rows.get(0));
        assertEquals(List.of("total_client_bytes", "104"), rows.get(3));
        assertEquals(List.of("total_server_bytes", "105"), rows.get(4));
        assertEquals(List.of("total_ps_bind_count", "111"), rows.get(10));
        assertEquals(List.of("avg_server_assignment_count", "201"), rows.get(11));
        assertEquals(List.of("avg_ps_bind_count", "211"), rows.get(21));
    }

    private static final String[] SOCKET_COLUMNS = {"type", "user", "database", "replication", "state", "addr",
        "port", "local_addr", "local_port", "connect_time", "request_time", "wait", "wait_us", "close_needed", "ptr",
        "link", "remote_pid", "tls", "application_name", "prepared_statements", "id", "tenant", "pinned_reason"};

    @Test
    void clients() {
        List<BackendMessage> answer = assertLayout("SHOW CLIENTS", "ssssssisiTTiiississii" + "ss", SOCKET_COLUMNS);
        assertEquals(List.of(Arrays.asList("C", "api", "app", "none", "active", "10.0.0.7", "50123", "10.0.0.1",
                "6432", "2026-03-01 12:00:00 UTC", "2026-03-01 12:00:05 UTC", "1", "2", "0", "c1", "s9", "0", "",
                "billing", "3", "17", "web", "LISTEN")), rows(answer));
    }

    @Test
    void servers() {
        List<BackendMessage> answer = assertLayout("SHOW SERVERS", "ssssssisiTTiiississii" + "ss", SOCKET_COLUMNS);
        assertEquals(List.of(Arrays.asList("S", "api", "app", "none", "idle", "10.0.0.2", "5432", "10.0.0.1",
                "40000", "2026-03-01 12:00:00 UTC", "2026-03-01 12:00:00 UTC", "0", "0", "1", "s9", "", "31337",
                "TLSv1.3", "", "0", "9", "web", null)), rows(answer));
    }

    @Test
    void databases() {
        List<BackendMessage> answer = assertLayout("SHOW DATABASES", "ssissiiiissiiiiii", "name", "host", "port",
                "database", "force_user", "pool_size", "min_pool_size", "reserve_pool_size", "server_lifetime",
                "pool_mode", "load_balance_hosts", "max_connections", "current_connections",
                "max_client_connections", "current_client_connections", "paused", "disabled");
        assertEquals(List.of(Arrays.asList("app", "db.internal", "5432", "app_prod", null, "5", "0", "0", "3600",
                null, null, "20", "7", "0", "12", "0", "1")), rows(answer));
    }

    @Test
    void users() {
        List<BackendMessage> answer = assertLayout("SHOW USERS", "ssssiiii" + "s", "name", "pool_size",
                "reserve_pool_size", "pool_mode", "max_user_connections", "current_connections",
                "max_user_client_connections", "current_client_connections", "tenant");
        assertEquals(List.of(List.of("api", "", "2", "session", "0", "4", "0", "9", "web")), rows(answer));
    }

    @Test
    void config() {
        List<BackendMessage> answer = assertLayout("SHOW CONFIG", "ssss", "key", "value", "default", "changeable");
        assertEquals(List.of(List.of("max_client_conn", "10000", "10000", "yes"),
                List.of("max_user_connections", "0", "0", "no")), rows(answer));
    }

    @Test
    void version() {
        assertLayout("SHOW VERSION", "s", "version");
    }

    @Test
    void lists() {
        List<BackendMessage> answer = assertLayout("SHOW LISTS", "si", "list", "items");
        assertEquals(List.of(List.of("databases", "1"), List.of("users", "2"), List.of("peers", "2"),
                List.of("pools", "3"), List.of("peer_pools", "0"), List.of("free_clients", "0"),
                List.of("used_clients", "4"), List.of("login_clients", "5"), List.of("free_servers", "0"),
                List.of("used_servers", "6"), List.of("dns_names", "0"), List.of("dns_zones", "0"),
                List.of("dns_queries", "0"), List.of("dns_pending", "0")), rows(answer));
    }

    @Test
    void peers() {
        List<BackendMessage> answer = assertLayout("SHOW PEERS", "isii", "peer_id", "host", "port", "pool_size");
        assertEquals(List.of(List.of("1", "10.0.0.5", "6433", "0"), List.of("2", "10.0.0.6", "6433", "0")),
                rows(answer));
    }

    @Test
    void state() {
        view.pauseState = PauseState.PAUSED;
        List<BackendMessage> answer = assertLayout("SHOW STATE", "ss", "key", "value");
        assertEquals(List.of(List.of("active", "no"), List.of("paused", "yes"), List.of("suspended", "no"),
                List.of("state", "serving")), rows(answer));
    }

    /** PgBouncer's rows first and as they were; pgmux's serving state, in /health/ready's words, after them. */
    @Test
    void stateDuringAShutdown() {
        view.runState = RunState.SHUTTING_DOWN;
        List<BackendMessage> answer = assertLayout("SHOW STATE", "ss", "key", "value");
        assertEquals(List.of(List.of("active", "yes"), List.of("paused", "no"), List.of("suspended", "no"),
                List.of("state", "shutting_down")), rows(answer));
    }

    @Test
    void prepared() {
        List<BackendMessage> answer = assertLayout("SHOW PREPARED", "ssssii", "database", "user", "name",
                "statement", "servers", "clients");
        assertEquals(List.of(List.of("app", "api", "pgmux_1a2b", "SELECT $1", "3", "40")), rows(answer));
    }

    @Test
    void tenants() {
        List<BackendMessage> answer = assertLayout("SHOW TENANTS", "ssiiiiiqiNi", "tenant", "database", "budget",
                "reserve", "servers", "in_use", "waiting", "longest_wait_us", "pinned", "utilization_pct", "weight");
        assertEquals(List.of(List.of("web", "app", "8", "2", "10", "9", "3", "1500", "1", "112.5", "2")),
                rows(answer), "utilization_pct is in_use (9) over the budget (8), not servers (10)");
    }

    @Test
    void budgets() {
        List<BackendMessage> answer = assertLayout("SHOW BUDGETS", "ssiisi", "upstream", "budget", "most", "servers",
                "basis", "fleet_leases");
        assertEquals(List.of(Arrays.asList("db.internal:5432", "tenant web on database app", "10", "9",
                "pool_size 8 + reserve_pool_size 2", "17"), Arrays.asList("db.internal:5432", "slots", "22", null, "x",
                null)), rows(answer));
    }

    @Test
    void emptyResultsStillDescribeTheirColumns() {
        view.pools = List.of();
        List<BackendMessage> answer = admin.query("SHOW POOLS");
        assertEquals("TCZ", types(answer));
        assertEquals(20, columns(answer.get(0)).size());
    }

    @Test
    void aLargeResultComesWholeAndInOrder() {
        List<io.pgmux.admin.spi.ConnectionRow> many = new java.util.ArrayList<>();
        io.pgmux.admin.spi.ConnectionRow one = view.clients.get(0);
        for (int i = 0; i < 5000; i++) {
            many.add(new io.pgmux.admin.spi.ConnectionRow(one.user(), one.database(), one.replication(), "waiting",
                    one.addr(), 40000 + i, one.localAddr(), one.localPort(), one.connectTime(), one.requestTime(),
                    i, false, "c" + i, "", 0, "", "app \u00e9 " + i, 0, i, null, null));
        }
        view.clients = many;
        List<List<String>> rows = rows(admin.query("SHOW CLIENTS"));
        assertEquals(5000, rows.size());
        assertEquals("app \u00e9 4999", rows.get(4999).get(18));
        assertEquals("4999", rows.get(4999).get(20));
    }

    /** Asserts the RowDescription of {@code sql}'s answer; returns the answer. */
    private List<BackendMessage> assertLayout(String sql, String pgbouncerTypes, String... names) {
        List<BackendMessage> answer = admin.query(sql);
        assertEquals('T', answer.get(0).type(), sql + ": " + answer);
        assertEquals("SHOW", answer.get(answer.size() - 2).commandTag());
        List<Column> columns = columns(answer.get(0));
        assertEquals(List.of(names), names(columns), sql);
        StringBuilder types = new StringBuilder();
        for (Column each : columns) {
            types.append(letter(each, pgbouncerTypes.charAt(types.length())));
        }
        assertEquals(pgbouncerTypes, types.toString(), sql);
        return answer;
    }

    /** PgBouncer's letter for a column's type, its size checked; T (a timestamp it sends as text) when expected. */
    private static char letter(Column column, char expected) {
        assertEquals(0, column.format(), column.name() + " in text format");
        switch (column.typeOid()) {
            case 25:
                assertEquals(-1, column.typeSize(), column.name());
                return expected == 'T' ? 'T' : 's';
            case 23:
                assertEquals(4, column.typeSize(), column.name());
                return 'i';
            case 20:
                assertEquals(8, column.typeSize(), column.name());
                return 'q';
            case 1700:
                assertEquals(-1, column.typeSize(), column.name());
                return 'N';
            default:
                return '?';
        }
    }
}
