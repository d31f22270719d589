package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.first;
import static io.pgmux.admin.ConsoleChannel.rows;
import static io.pgmux.admin.ConsoleChannel.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.SqlState;
import io.pgmux.testing.BackendMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console session on the wire: greeting, simple queries, errors that leave it usable, what it refuses. */
class AdminSessionTest {
    private final FakeView view = new FakeView();
    private final FakeControl control = new FakeControl();
    private final AdminConsole console = new AdminConsole(view, control, "0.1.0");
    private ConsoleChannel admin;

    @BeforeEach
    void open() {
        admin = ConsoleChannel.open(console, AdminRole.ADMIN, Map.of("user", "root", "database", "pgmux",
                "application_name", "psql"));
    }

    @AfterEach
    void close() {
        admin.close();
    }

    @Test
    void greetsWithParametersACancelKeyAndReadyForQuery() {
        List<BackendMessage> greeting = admin.received();
        Map<String, String> parameters = new LinkedHashMap<>();
        for (BackendMessage each : greeting) {
            if (each.type() == 'S') {
                parameters.put(each.paramName(), each.paramValue());
            }
        }
        assertEquals("UTF8", parameters.get("client_encoding"));
        assertEquals("UTF8", parameters.get("server_encoding"));
        assertEquals("0.1.0/pgmux", parameters.get("server_version"));
        assertEquals("psql", parameters.get("application_name"));
        assertEquals("on", parameters.get("standard_conforming_strings"));
        assertEquals("on", parameters.get("integer_datetimes"));
        assertEquals("root", parameters.get("session_authorization"));
        assertTrue(parameters.get("DateStyle").startsWith("ISO"), "pgjdbc refuses a DateStyle not starting ISO");
        assertEquals(List.of("application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
                "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser", "server_encoding",
                "server_version", "session_authorization", "standard_conforming_strings", "TimeZone"),
                List.copyOf(parameters.keySet()), "PostgreSQL 15's reported parameters, in the order it sends them");
        assertEquals("off", parameters.get("default_transaction_read_only"));
        assertEquals("off", parameters.get("in_hot_standby"));
        BackendMessage key = greeting.get(greeting.size() - 2);
        assertEquals('K', key.type());
        assertEquals(4711, key.int32At(0));
        assertEquals(0x0badcafe, key.int32At(4));
        assertEquals('I', greeting.get(greeting.size() - 1).readyStatus());
    }

    @Test
    void answersAShowWithRowsThenShowThenReadyForQuery() {
        admin.received();
        List<BackendMessage> answer = admin.query("SHOW VERSION");
        assertEquals("TDCZ", types(answer));
        assertEquals(List.of(List.of("pgmux 0.1.0 (PgBouncer 1.25.2 compatible console)")), rows(answer));
        assertEquals("SHOW", first(answer, 'C').commandTag());
        assertEquals('I', first(answer, 'Z').readyStatus());
    }

    @Test
    void commandsIgnoreCaseAndATrailingSemicolon() {
        admin.received();
        assertEquals("TDCZ", types(admin.query("show version;")));
        assertEquals("TDCZ", types(admin.query("  Show\tVersion ;  ")));
    }

    @Test
    void anEmptyQueryGetsEmptyQueryResponse() {
        admin.received();
        assertEquals("IZ", types(admin.query("")));
        assertEquals("IZ", types(admin.query("  ;; -- nothing here\n")));
    }

    @Test
    void runsEveryStatementOfAQueryAndAnswersReadyOnce() {
        admin.received();
        List<BackendMessage> answer = admin.query("SHOW VERSION; show state;SET extra_float_digits = 3");
        assertEquals("TDCTDDDDCCZ", types(answer));
    }

    @Test
    void anErrorSkipsTheRestOfTheQueryAsPostgresDoes() {
        admin.received();
        List<BackendMessage> answer = admin.query("SHOW VERSION; SHOW NOTHING; RELOAD");
        assertEquals("TDCEZ", types(answer));
        assertEquals(SqlState.SYNTAX_ERROR, first(answer, 'E').errorField('C'));
        assertTrue(control.calls.isEmpty(), "RELOAD after the error must not run");
    }

    @Test
    void anUnknownCommandIsASyntaxErrorWithTheCommandsInTheHintAndTheSessionStaysUsable() {
        admin.received();
        List<BackendMessage> answer = admin.query("SELECT 1");
        assertEquals("EZ", types(answer));
        BackendMessage error = answer.get(0);
        assertEquals("ERROR", error.errorField('S'));
        assertEquals(SqlState.SYNTAX_ERROR, error.errorField('C'));
        assertEquals("invalid command \"SELECT 1\" for the pgmux admin console", error.errorField('M'));
        assertTrue(error.errorField('H').contains("SHOW HELP"), error.errorField('H'));
        assertTrue(error.errorField('H').contains("KILL_CLIENT"), error.errorField('H'));
        assertEquals("TDCZ", types(admin.query("SHOW VERSION")));
    }

    @Test
    void badArgumentsGetACleanErrorAndTheSessionStaysUsable() {
        admin.received();
        assertError("KILL_CLIENT abc", SqlState.INVALID_TEXT_REPRESENTATION);
        assertError("KILL_CLIENT", SqlState.SYNTAX_ERROR);
        assertError("DISABLE", SqlState.SYNTAX_ERROR);
        assertError("PAUSE app other", SqlState.SYNTAX_ERROR);
        assertError("RELOAD now", SqlState.SYNTAX_ERROR);
        assertError("SHUTDOWN LATER", SqlState.SYNTAX_ERROR);
        assertError("SHOW", SqlState.SYNTAX_ERROR);
        assertError("SHOW FDS", SqlState.FEATURE_NOT_SUPPORTED);
        assertError("SET query_timeout", SqlState.SYNTAX_ERROR);
        assertError("SHOW 'pools", SqlState.SYNTAX_ERROR);
        assertTrue(control.calls.isEmpty(), control.calls.toString());
        assertEquals("TDCZ", types(admin.query("SHOW VERSION")));
    }

    @Test
    void aRefusalOfTheControlIsAnErrorAndTheSessionStaysUsable() {
        admin.received();
        control.refusal = new AdminException(SqlState.INVALID_CATALOG_NAME, "database \"nope\" is not configured");
        List<BackendMessage> answer = admin.query("RECONNECT nope");
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INVALID_CATALOG_NAME, answer.get(0).errorField('C'));
        assertEquals("database \"nope\" is not configured", answer.get(0).errorField('M'));
        assertEquals("CZ", types(admin.query("RECONNECT app")));
    }

    @Test
    void aReloadThatFindsAnInvalidFileSaysWhy() {
        admin.received();
        control.refusal = new AdminException(SqlState.CONFIG_FILE_ERROR,
                "RELOAD refused: pgmux.yaml:3: databases.app.port: expected an integer; the running configuration stays");
        List<BackendMessage> answer = admin.query("RELOAD");
        assertEquals(SqlState.CONFIG_FILE_ERROR, first(answer, 'E').errorField('C'));
        assertTrue(first(answer, 'E').errorField('M').contains("databases.app.port"));
    }

    @Test
    void aViewThatFailsIsAnInternalErrorForThatStatementOnly() {
        admin.received();
        view.failure = new IllegalStateException("boom");
        List<BackendMessage> answer = admin.query("SHOW POOLS");
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INTERNAL_ERROR, answer.get(0).errorField('C'));
        view.failure = null;
        assertEquals("TDCZ", types(admin.query("SHOW POOLS")));
    }

    @Test
    void eachControlCommandCallsTheControlAndAnswersPgBouncersTag() {
        admin.received();
        assertTag("RESUME", "RESUME", "resume *");
        assertTag("resume app", "RESUME", "resume app");
        assertTag("DISABLE app", "DISABLE", "disable app");
        assertTag("ENABLE \"My DB\"", "ENABLE", "enable My DB");
        assertTag("RECONNECT", "RECONNECT", "reconnect *");
        assertTag("KILL app", "KILL", "kill app");
        assertTag("KILL", "KILL", "kill *");
        assertTag("KILL TENANT scripts", "KILL", "kill_tenant scripts");
        assertTag("KILL_CLIENT 17", "KILL_CLIENT", "kill_client 17");
        assertTag("RELOAD", "RELOAD", "reload");
        assertTag("SET query_timeout = 10s", "SET", "set query_timeout=10s");
        assertTag("set Server_Check_Query TO 'select 1'", "SET", "set server_check_query=select 1");
        assertTag("SHUTDOWN WAIT_FOR_CLIENTS", "SHUTDOWN", "shutdown WAIT_FOR_CLIENTS");
        assertTag("shutdown wait_for_servers", "SHUTDOWN", "shutdown WAIT_FOR_SERVERS");
    }

    @Test
    void aLongSetValueIsTakenWholeAndItsTagIsSetAsInPostgresql() {
        admin.received();
        String query = "select '" + "x".repeat(1 << 19) + "'";
        List<BackendMessage> answer = admin.query("SET server_reset_query = '" + query.replace("'", "''") + "'");
        assertEquals("CZ", types(answer), answer.toString());
        assertEquals("SET", answer.get(0).commandTag(), "the value is not echoed");
        assertEquals(List.of("set server_reset_query=" + query), control.calls, "the value reaches pgmux whole");
    }

    @Test
    void shutdownSaysGoodbyeWithAdminShutdownThenStopsPgmux() {
        admin.received();
        List<BackendMessage> answer = admin.query("SHUTDOWN");
        assertEquals("E", types(answer));
        assertEquals("FATAL", answer.get(0).errorField('S'));
        assertEquals(SqlState.ADMIN_SHUTDOWN, answer.get(0).errorField('C'));
        assertEquals(List.of("shutdown IMMEDIATE"), control.calls);
        assertFalse(admin.channel.isActive());
    }

    @Test
    void showHelpIsANoticeListingTheCommands() {
        admin.received();
        List<BackendMessage> answer = admin.query("SHOW HELP");
        assertEquals("NCZ", types(answer));
        String usage = answer.get(0).errorField('D');
        for (String each : new String[] {"SHOW", "PAUSE", "RESUME", "KILL TENANT", "KILL_CLIENT", "WAIT_CLOSE",
                "SUSPEND", "RELOAD", "SHUTDOWN", "SET", "TENANTS", "BUDGETS"}) {
            assertTrue(usage.contains(each), each + " in " + usage);
        }
    }

    @Test
    void terminateClosesTheConnection() {
        admin.received();
        admin.send(Bytes.hex("58 00000004"));
        assertFalse(admin.channel.isActive());
        assertTrue(admin.received().isEmpty());
    }

    @Test
    void extendedProtocolMessagesAreRefusedWithProtocolViolationAndAClose() {
        admin.received();
        admin.send(Bytes.message('P', Bytes.of().cstring("").cstring("SHOW POOLS").int16(0).build()));
        List<BackendMessage> answer = admin.received();
        assertEquals("E", types(answer));
        assertEquals("FATAL", answer.get(0).errorField('S'));
        assertEquals(SqlState.PROTOCOL_VIOLATION, answer.get(0).errorField('C'));
        assertTrue(answer.get(0).errorField('M').contains("extended query protocol"));
        assertFalse(admin.channel.isActive());
    }

    @Test
    void everyNonQueryMessageClosesTheSession() {
        for (char tag : new char[] {'B', 'E', 'D', 'C', 'S', 'H', 'd', 'F', 'p'}) {
            try (ConsoleChannel other = ConsoleChannel.open(console, AdminRole.ADMIN, Map.of())) {
                other.received();
                other.send(Bytes.message(tag, Bytes.hex("00")));
                List<BackendMessage> answer = other.received();
                assertEquals("E", types(answer), "after '" + tag + "'");
                assertEquals(SqlState.PROTOCOL_VIOLATION, answer.get(0).errorField('C'));
                assertFalse(other.channel.isActive());
            }
        }
    }

    @Test
    void aMalformedQueryIsAProtocolViolation() {
        admin.received();
        admin.send(Bytes.hex("51 00000008 41 00 4243"));
        List<BackendMessage> answer = admin.received();
        assertEquals("E", types(answer));
        assertEquals(SqlState.PROTOCOL_VIOLATION, answer.get(0).errorField('C'));
        assertFalse(admin.channel.isActive());
    }

    @Test
    void messagesAfterTheCloseAreReleased() {
        admin.received();
        admin.send(Bytes.concat(Bytes.hex("58 00000004"), Bytes.message('Q', Bytes.of().cstring("SHOW POOLS").build())));
        assertTrue(admin.received().isEmpty());
    }

    @Test
    void anOversizedMessageIsAProtocolViolation() {
        admin.received();
        admin.send(Bytes.hex("51 7fffffff"));
        List<BackendMessage> answer = admin.received();
        assertEquals(SqlState.PROTOCOL_VIOLATION, first(answer, 'E').errorField('C'));
        assertFalse(admin.channel.isActive());
    }

    private void assertError(String sql, String sqlState) {
        List<BackendMessage> answer = admin.query(sql);
        assertEquals("EZ", types(answer), sql);
        assertEquals(sqlState, answer.get(0).errorField('C'), sql + ": " + answer.get(0));
        assertEquals("ERROR", answer.get(0).errorField('S'), sql);
    }

    private void assertTag(String sql, String tag, String call) {
        control.calls.clear();
        List<BackendMessage> answer = admin.query(sql);
        assertEquals("CZ", types(answer), sql + ": " + answer);
        assertEquals(tag, answer.get(0).commandTag(), sql);
        assertEquals(List.of(call), control.calls, sql);
    }
}
