package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.AdminCommand.OnDatabase;
import io.pgmux.admin.AdminCommand.Verb;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.admin.spi.ShutdownMode;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's grammar: PgBouncer's commands and arguments, pgmux's own, and the errors for the rest. */
class AdminCommandParserTest {
    private static AdminCommand parse(String statement) {
        return AdminCommandParser.parse(statement);
    }

    private static String refusal(String statement) {
        return assertThrows(AdminException.class, () -> parse(statement), statement).error().sqlState();
    }

    @Test
    void everyShowTarget() {
        for (ShowTarget each : ShowTarget.values()) {
            assertEquals(new AdminCommand.Show(each), parse("SHOW " + each.name()));
            assertEquals(new AdminCommand.Show(each), parse("show " + each.name().toLowerCase()));
        }
        assertEquals(new AdminCommand.Show(ShowTarget.STATS_TOTALS), parse("Show \"stats_totals\""));
    }

    @Test
    void databaseCommandsTakeAnOptionalName() {
        assertEquals(new OnDatabase(Verb.PAUSE, Optional.empty()), parse("PAUSE"));
        assertEquals(new OnDatabase(Verb.PAUSE, Optional.of("app")), parse("pause app"));
        assertEquals(new OnDatabase(Verb.RESUME, Optional.of("App")), parse("RESUME App"), "names keep their case");
        assertEquals(new OnDatabase(Verb.RECONNECT, Optional.of("my db")), parse("RECONNECT \"my db\""));
        assertEquals(new OnDatabase(Verb.WAIT_CLOSE, Optional.of("app-eu.1")), parse("WAIT_CLOSE app-eu.1"));
        assertEquals(new OnDatabase(Verb.KILL, Optional.of("app")), parse("KILL app"));
        assertEquals(new OnDatabase(Verb.KILL, Optional.of("tenant")), parse("KILL tenant"),
                "a database called tenant");
        assertEquals(new OnDatabase(Verb.DISABLE, Optional.of("app")), parse("DISABLE app"));
        assertEquals(new OnDatabase(Verb.ENABLE, Optional.of("app")), parse("enable app"));
    }

    @Test
    void pgmuxsOwnCommands() {
        assertEquals(new AdminCommand.KillTenant("scripts"), parse("KILL TENANT scripts"));
        assertEquals(new AdminCommand.KillTenant("Batch Jobs"), parse("kill tenant \"Batch Jobs\""));
    }

    @Test
    void commandsWithoutArguments() {
        assertEquals(new AdminCommand.Suspend(), parse("SUSPEND"));
        assertEquals(new AdminCommand.Reload(), parse("reload"));
        assertEquals(new AdminCommand.Shutdown(ShutdownMode.IMMEDIATE), parse("SHUTDOWN"));
        assertEquals(new AdminCommand.Shutdown(ShutdownMode.WAIT_FOR_CLIENTS), parse("SHUTDOWN WAIT_FOR_CLIENTS"));
        assertEquals(new AdminCommand.Shutdown(ShutdownMode.WAIT_FOR_SERVERS), parse("shutdown wait_for_servers"));
        assertEquals(new AdminCommand.KillClient(42), parse("KILL_CLIENT 42"));
    }

    @Test
    void setOfAPgmuxSetting() {
        assertEquals(new AdminCommand.SetSetting("query_timeout", "10s"), parse("SET query_timeout = 10s"));
        assertEquals(new AdminCommand.SetSetting("query_timeout", "10s"), parse("SET Query_Timeout TO '10s'"));
        assertEquals(new AdminCommand.SetSetting("server_check_query", "select 1"),
                parse("set server_check_query='select 1'"));
        assertEquals(new AdminCommand.SetSetting("server_reset_query", "it's"),
                parse("SET server_reset_query = 'it''s'"));
    }

    @Test
    void setOfASessionParameter() {
        assertEquals(set("extra_float_digits", number("3")), parse("SET extra_float_digits = 3"));
        assertEquals(set("datestyle", name("iso"), name("mdy")), parse("SET DateStyle TO ISO, MDY"));
        assertEquals(set("search_path", name("a"), name("b C")), parse("SET search_path = a, \"b C\""));
        assertEquals(set("timezone", string("UTC")), parse("SET TIME ZONE 'UTC'"));
        assertEquals(set("client_encoding", string("UTF8")), parse("SET NAMES 'UTF8'"));
        assertEquals(set("application_name", name("x")), parse("SET SESSION application_name = X"));
        assertEquals(new AdminCommand.ResetParameter("timezone", "SET"), parse("SET TIME ZONE LOCAL"));
        assertEquals(new AdminCommand.ResetParameter("timezone", "SET"), parse("set time zone default"));
        assertEquals(new AdminCommand.ResetParameter("application_name", "SET"),
                parse("SET application_name TO DEFAULT"));
        assertEquals(new AdminCommand.ResetParameter("all", "RESET"), parse("RESET ALL"));
        assertEquals(new AdminCommand.SetTransaction(Map.of("default_transaction_read_only", "on")),
                parse("SET TRANSACTION READ ONLY"));
        assertEquals(new AdminCommand.SetSessionCharacteristics(Map.of("default_transaction_isolation",
                "serializable")), parse("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
        assertEquals(new AdminCommand.SetLocal(set("lock_timeout", string("5s"))), parse("SET LOCAL lock_timeout = '5s'"));
    }

    /** Words are read as PostgreSQL's scanner reads them: names folded, numbers as SET writes them back. */
    @Test
    void aSessionParametersValueIsReadAsPostgreSqlReadsIt() {
        assertEquals(set("application_name", name("foo")), parse("SET application_name = Foo"));
        assertEquals(set("application_name", name("Foo")), parse("SET application_name = \"Foo\""));
        assertEquals(set("application_name", string("Foo")), parse("SET application_name = 'Foo'"));
        assertEquals(set("application_name", name("caf\u00c9")), parse("SET application_name = CAF\u00c9"),
                "only A to Z are folded, as in a multi-byte encoding");
        assertEquals(set("application_name", name("true")), parse("SET application_name = TRUE"));
        assertEquals(set("application_name", name("on")), parse("SET application_name = On"));
        assertEquals(set("application_name", name("between")), parse("SET application_name = between"),
                "a key word that is not reserved is a name");
        assertEquals(new AdminCommand.ResetParameter("client_encoding", "SET"), parse("SET NAMES DEFAULT"));
        assertEquals(set("extra_float_digits", number("3")), parse("SET extra_float_digits = +03"));
        assertEquals(set("extra_float_digits", number("-3")), parse("SET extra_float_digits = -3"));
        assertEquals(set("application_name", number("3.50")), parse("SET application_name = 3.50"));
        assertEquals(set("application_name", number("1e3")), parse("SET application_name = +1e3"));
        assertEquals(set("application_name", number("5000000000")), parse("SET application_name = 5000000000"),
                "beyond int4: a numeric constant, as written");
    }

    @Test
    void aWordPostgreSqlsGrammarDoesNotTakeAsAValueIsItsSyntaxError() {
        assertSyntaxError("SET statement_timeout = 10s", "trailing junk after numeric literal at or near \"10s\"");
        assertSyntaxError("SET application_name = foo-bar", "syntax error at or near \"-\"");
        assertSyntaxError("SET application_name = a.b", "syntax error at or near \".\"");
        assertSyntaxError("SET application_name = a->b", "syntax error at or near \"->\"");
        assertSyntaxError("SET application_name = \"\"", "zero-length delimited identifier at or near \"\"\"\"");
        assertSyntaxError("SET application_name = a = b", "syntax error at or near \"=\"");
        assertSyntaxError("SET search_path = a,", "syntax error at end of input");
        assertSyntaxError("SET application_name = SELECT", "syntax error at or near \"SELECT\"");
        assertSyntaxError("SET application_name = null", "syntax error at or near \"null\"");
        assertSyntaxError("SET search_path = a, default", "syntax error at or near \"default\"");
        assertSyntaxError("SET TIME ZONE 'UTC', 'CET'", null);
    }

    /** A pgmux setting's word is taken as written, as PgBouncer's console takes it. */
    @Test
    void aPgmuxSettingsWordKeepsItsCase() {
        assertEquals(new AdminCommand.SetSetting("pool_mode", "Session"), parse("SET pool_mode = Session"));
    }

    private static void assertSyntaxError(String sql, String message) {
        PgError error = assertThrows(AdminException.class, () -> parse(sql)).error();
        assertEquals(SqlState.SYNTAX_ERROR, error.sqlState(), sql);
        if (message != null) {
            assertEquals(message, error.message(), sql);
        }
    }

    private static AdminCommand.SetParameter set(String parameter, SetValue.Item... items) {
        return new AdminCommand.SetParameter(parameter, SetValue.of(items));
    }

    private static SetValue.Item name(String text) {
        return new SetValue.Item(SetValue.ItemKind.NAME, text);
    }

    private static SetValue.Item string(String text) {
        return new SetValue.Item(SetValue.ItemKind.STRING, text);
    }

    private static SetValue.Item number(String text) {
        return new SetValue.Item(SetValue.ItemKind.NUMBER, text);
    }

    @Test
    void onlyCommandsThatChangePgmuxNeedAnAdmin() {
        for (String each : new String[] {"SHOW POOLS", "SHOW client_encoding", "SET extra_float_digits = 2",
                "RESET ALL", "SET TRANSACTION READ WRITE"}) {
            assertTrue(!parse(each).changesPgmux(), each);
        }
        for (String each : new String[] {"PAUSE", "RESUME", "SUSPEND", "DISABLE a", "ENABLE a", "RECONNECT", "KILL",
                "KILL TENANT t", "KILL_CLIENT 1", "WAIT_CLOSE", "RELOAD", "SHUTDOWN", "SET query_timeout = 1"}) {
            assertTrue(parse(each).changesPgmux(), each);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "BEGIN", "'show' pools", "\"show\" pools", "EXPLAIN SHOW POOLS",
            "SHOW POOLS please", "SHOW", "SHOW NOPE", "SHOW 'pools'", "PAUSE a b", "DISABLE", "ENABLE",
            "RELOAD now", "SUSPEND all", "SHUTDOWN NOW", "KILL_CLIENT", "KILL_CLIENT 1 2", "KILL TENANT a b",
            "KILL a b c", "SET", "SET x", "SET x =", "SET = 1", "SET x = 1, 2", "SET x = a b", "PAUSE 'app'",
            "RESET", "RESET a b", "RESET query_timeout", "SET x = ="})
    void whatTheConsoleDoesNotKnowIsASyntaxOrUndefinedError(String statement) {
        String state = refusal(statement);
        assertTrue(state.equals(SqlState.SYNTAX_ERROR) || state.equals(SqlState.UNDEFINED_OBJECT),
                statement + ": " + state);
    }

    @Test
    void everyEchoOfWhatTheUserWroteFollowsOneRule() {
        String longName = "n".repeat(100_000);
        String quoted = "'" + longName + "'";
        for (String[] each : new String[][] {
                {"SHOW " + longName, "unknown SHOW command: ", longName},
                {longName, "invalid command \"", longName},
                {"KILL_CLIENT " + longName, "invalid client id ", longName},
                {"RESET " + longName, "the admin console has no session parameter \"", longName},
                {"SET " + longName + " = a b", "SET ", longName},
                {"KILL TENANT " + quoted, "KILL TENANT takes a name, got ", quoted}}) {
            String message = assertThrows(AdminException.class, () -> parse(each[0])).error().message();
            assertTrue(message.startsWith(each[1] + Excerpt.of(each[2])), message);
            assertTrue(message.length() < 300, each[1] + ": " + message.length() + " characters");
        }
    }

    @Test
    void aClientIdThatIsNoneSaysWhatIsExpected() {
        for (String each : new String[] {"-1", "abc", "99999999999999999999"}) {
            AdminException e = assertThrows(AdminException.class, () -> parse("KILL_CLIENT " + each));
            assertEquals("invalid client id " + each + ": expected the id of a connected client, a number of 0 or"
                    + " more from the id column of SHOW CLIENTS", e.error().message());
        }
    }

    @Test
    void aClientIdMustBeANumber() {
        assertEquals(SqlState.INVALID_TEXT_REPRESENTATION, refusal("KILL_CLIENT abc"));
        assertEquals(SqlState.INVALID_TEXT_REPRESENTATION, refusal("KILL_CLIENT -1"));
        assertEquals(SqlState.INVALID_TEXT_REPRESENTATION, refusal("KILL_CLIENT 99999999999999999999"));
    }

    @Test
    void pgbouncerCommandsAboutWhatPgmuxDoesNotHave() {
        for (String each : new String[] {"FDS", "SOCKETS", "ACTIVE_SOCKETS", "MEM", "DNS_HOSTS", "DNS_ZONES",
                "PEER_POOLS"}) {
            assertEquals(SqlState.FEATURE_NOT_SUPPORTED, refusal("SHOW " + each), each);
        }
    }

    @Test
    void messagesQuoteWhatTheUserWrote() {
        AdminException e = assertThrows(AdminException.class, () -> parse("SHOW 'Pools'"));
        assertEquals("unknown SHOW command: 'Pools'", e.error().message());
        e = assertThrows(AdminException.class, () -> parse("frobnicate everything"));
        assertEquals("invalid command \"frobnicate everything\" for the pgmux admin console", e.error().message());
        assertTrue(e.error().hint().contains("SHOW HELP"));
    }
}
