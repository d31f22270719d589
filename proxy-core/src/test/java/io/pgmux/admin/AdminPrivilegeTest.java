package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.AdminConfig;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.testing.BackendMessage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Stats users read; only admin users change anything (PgBouncer's admin_users and stats_users). */
class AdminPrivilegeTest {
    private final FakeControl control = new FakeControl();
    private final AdminConsole console = new AdminConsole(new FakeView(), control, "0.1.0");
    private ConsoleChannel stats;

    @BeforeEach
    void open() {
        stats = ConsoleChannel.open(console, AdminRole.STATS, Map.of());
        stats.received();
    }

    @AfterEach
    void close() {
        stats.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PAUSE", "PAUSE app", "RESUME", "SUSPEND", "DISABLE app", "ENABLE app", "RECONNECT",
            "KILL app", "KILL TENANT web", "KILL_CLIENT 3", "WAIT_CLOSE", "RELOAD", "SHUTDOWN",
            "SHUTDOWN WAIT_FOR_CLIENTS", "SET query_timeout = 5s"})
    void aStatsUserCannotChangeAnything(String command) {
        List<BackendMessage> answer = stats.query(command);
        assertEquals("EZ", types(answer), command);
        BackendMessage error = answer.get(0);
        assertEquals(SqlState.INSUFFICIENT_PRIVILEGE, error.errorField('C'), command);
        assertEquals("ERROR", error.errorField('S'));
        assertTrue(error.errorField('M').contains("\"monitor\" may only read"), error.errorField('M'));
        assertTrue(error.errorField('H').contains("admin.users"), error.errorField('H'));
        assertTrue(control.calls.isEmpty(), command + " reached the control: " + control.calls);
        assertEquals("TDCZ", types(stats.query("SHOW VERSION")), "the session stays usable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHOW POOLS", "SHOW STATS", "SHOW STATS_TOTALS", "SHOW STATS_AVERAGES", "SHOW TOTALS",
            "SHOW CLIENTS", "SHOW SERVERS", "SHOW DATABASES", "SHOW USERS", "SHOW CONFIG", "SHOW VERSION",
            "SHOW LISTS", "SHOW STATE", "SHOW PREPARED", "SHOW TENANTS", "SHOW BUDGETS"})
    void aStatsUserReadsEverything(String show) {
        List<BackendMessage> answer = stats.query(show);
        assertEquals('T', answer.get(0).type(), show);
        assertEquals("SHOW", answer.get(answer.size() - 2).commandTag());
    }

    @Test
    void aStatsUserMaySetItsSessionParameters() {
        assertEquals("CZ", types(stats.query("SET extra_float_digits = 3")));
        assertEquals("CSZ", types(stats.query("SET application_name = 'exporter'")));
        assertTrue(control.calls.isEmpty());
    }

    @Test
    void isSuperuserSaysWhetherTheSessionMayChangePgmux() {
        assertEquals(List.of(List.of("off")), ConsoleChannel.rows(stats.query("SHOW is_superuser")));
    }

    @Test
    void rolesComeFromAdminUsersAndStatsUsers() {
        AdminConfig config = new AdminConfig(List.of("root"), List.of("monitor", "root"));
        assertEquals(Optional.of(AdminRole.ADMIN), AdminRole.of(config, "root"));
        assertEquals(Optional.of(AdminRole.STATS), AdminRole.of(config, "monitor"));
        assertEquals(Optional.empty(), AdminRole.of(config, "api"));
    }

    @Test
    void othersAreNotAllowedIntoTheConsole() {
        PgError refusal = AdminRole.notAllowed("api");
        assertEquals(PgError.FATAL, refusal.severity());
        assertEquals(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, refusal.sqlState());
        assertTrue(refusal.message().contains("\"api\" is not allowed"), refusal.message());
        assertTrue(AdminRole.isConsoleDatabase("pgmux"));
        assertTrue(!AdminRole.isConsoleDatabase("app"));
    }
}
