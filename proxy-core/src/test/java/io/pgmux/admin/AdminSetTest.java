package io.pgmux.admin;

import static io.pgmux.admin.ConsoleChannel.rows;
import static io.pgmux.admin.ConsoleChannel.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.protocol.SqlState;
import io.pgmux.testing.BackendMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SETs and SHOWs drivers send on connect are answered as PostgreSQL would, and change nothing in pgmux. */
class AdminSetTest {
    private final FakeControl control = new FakeControl();
    private final AdminConsole console = new AdminConsole(new FakeView(), control, "0.1.0");
    private ConsoleChannel admin;

    @BeforeEach
    void open() {
        admin = ConsoleChannel.open(console, AdminRole.ADMIN, Map.of("extra_float_digits", "2",
                "DateStyle", "ISO, MDY"));
        admin.received();
    }

    @AfterEach
    void close() {
        admin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET extra_float_digits = 3", "SET client_encoding = 'UTF8'", "set CLIENT_ENCODING to UTF8",
            "SET search_path = public, \"$user\"", "SET statement_timeout = 0", "SET SESSION statement_timeout TO 0",
            "SET NAMES 'UTF8'", "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "SET default_transaction_read_only = off", "SET bytea_output = 'hex'", "SET extra_float_digits TO DEFAULT"})
    void driverSetsAreAnsweredSet(String sql) {
        List<BackendMessage> answer = admin.query(sql);
        assertEquals("CZ", types(answer), sql + ": " + answer);
        assertEquals("SET", answer.get(0).commandTag());
        assertTrue(control.calls.isEmpty(), sql + " reached the control");
    }

    @Test
    void aReportedParameterIsReportedWhenItChanges() {
        List<BackendMessage> answer = admin.query("SET application_name = 'billing batch'");
        assertEquals("CSZ", types(answer));
        assertEquals("application_name", status(answer).paramName());
        assertEquals("billing batch", status(answer).paramValue());
        assertEquals("CZ", types(admin.query("SET application_name = 'billing batch'")), "unchanged: not reported");
        answer = admin.query("SET TIME ZONE 'Europe/Berlin'");
        assertEquals("CSZ", types(answer));
        assertEquals("TimeZone", status(answer).paramName());
        assertEquals("DateStyle", status(admin.query("SET DateStyle = ISO, DMY")).paramName());
    }

    /** As PostgreSQL: after the query's CommandCompletes, once, with the value it left, and not if set back. */
    @Test
    void aChangedReportedParameterIsReportedOnceBeforeReadyForQuery() {
        List<BackendMessage> answer = admin.query("SET application_name = 'a'; SET application_name = 'b'");
        assertEquals("CCSZ", types(answer));
        assertEquals("b", status(answer).paramValue());
        assertEquals("CCZ", types(admin.query("SET application_name = 'c'; SET application_name = 'b'")));
        answer = admin.query("SET application_name = 'd'; SHOW nothing");
        assertEquals("CEZ", types(answer), "the error rolls back what the query set, as PostgreSQL's implicit"
                + " transaction does");
        assertEquals(List.of(List.of("b")), rows(admin.query("SHOW application_name")));
    }

    @Test
    void setLocalOutsideATransactionBlockWarnsAndChangesNothing() {
        List<BackendMessage> answer = admin.query("SET LOCAL application_name = 'x'");
        assertEquals("NCZ", types(answer));
        assertEquals("WARNING", answer.get(0).errorField('S'));
        assertEquals(SqlState.NO_ACTIVE_SQL_TRANSACTION, answer.get(0).errorField('C'));
        assertEquals("SET LOCAL can only be used in transaction blocks", answer.get(0).errorField('M'));
        assertEquals(List.of(List.of("")), rows(admin.query("SHOW application_name")));
        assertEquals("NCZ", types(admin.query("SET LOCAL lock_timeout = '5s'")));
        assertEquals(List.of(List.of("0")), rows(admin.query("SHOW lock_timeout")));
        answer = admin.query("SET LOCAL jit = maybe");
        assertEquals("NEZ", types(answer), "the warning, then the value's refusal: still checked");
        assertEquals(SqlState.NO_ACTIVE_SQL_TRANSACTION, answer.get(0).errorField('C'));
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, answer.get(1).errorField('C'));
        answer = admin.query("SET LOCAL application_name = " + "Q".repeat(70));
        assertEquals("NNCZ", types(answer), "the name cut short, then the warning");
        assertEquals("42622", answer.get(0).errorField('C'));
        assertEquals(SqlState.NO_ACTIVE_SQL_TRANSACTION, answer.get(1).errorField('C'));
        assertEquals("NCZ", types(admin.query("SET LOCAL query_timeout = 5")));
        assertTrue(control.calls.isEmpty(), "a pgmux setting is not changed either");
    }

    @Test
    void setTransactionOutsideATransactionBlockWarnsAndChangesNothing() {
        List<BackendMessage> answer = admin.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
        assertEquals("NCZ", types(answer));
        assertEquals("SET TRANSACTION can only be used in transaction blocks", answer.get(0).errorField('M'));
        assertEquals(List.of(List.of("read committed")), rows(admin.query("SHOW transaction_isolation")));
        assertEquals(SqlState.SYNTAX_ERROR,
                admin.query("SET TRANSACTION ISOLATION LEVEL bogus").get(0).errorField('C'));
    }

    @Test
    void sessionCharacteristicsSetTheDefaultTransactionModes() {
        List<BackendMessage> answer = admin.query(
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY, ISOLATION LEVEL REPEATABLE READ DEFERRABLE");
        assertEquals("CSZ", types(answer));
        assertEquals("default_transaction_read_only", status(answer).paramName());
        assertEquals("on", status(answer).paramValue());
        assertEquals(List.of(List.of("repeatable read")), rows(admin.query("SHOW default_transaction_isolation")));
        assertEquals(List.of(List.of("repeatable read")), rows(admin.query("SHOW transaction_isolation")));
        assertEquals(List.of(List.of("on")), rows(admin.query("SHOW default_transaction_deferrable")));
        assertEquals("CSZ", types(admin.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY READ WRITE")),
                "the later mode wins");
        answer = admin.query("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL bogus");
        assertEquals("EZ", types(answer));
        assertEquals("syntax error at or near \"bogus\"", answer.get(0).errorField('M'));
    }

    @Test
    void transactionIsolationOutsideATransactionBlockIsTheSessionsDefault() {
        assertEquals("CZ", types(admin.query("SET transaction_isolation = 'serializable'")));
        assertEquals(List.of(List.of("read committed")), rows(admin.query("SHOW transaction_isolation")));
        assertEquals(SqlState.INVALID_PARAMETER_VALUE,
                admin.query("SET transaction_isolation = 'sometimes'").get(0).errorField('C'));
    }

    @Test
    void showReturnsWhatTheSessionSet() {
        admin.query("SET application_name = 'exporter'");
        List<BackendMessage> answer = admin.query("SHOW application_name");
        assertEquals("TDCZ", types(answer));
        assertEquals(List.of("application_name"), ConsoleChannel.names(ConsoleChannel.columns(answer.get(0))));
        assertEquals(List.of(List.of("exporter")), rows(answer));
        assertEquals(List.of(List.of("2")), rows(admin.query("SHOW extra_float_digits")), "from the startup packet");
        assertEquals(List.of(List.of("ISO, MDY")), rows(admin.query("show DateStyle")));
        admin.query("SET search_path = public, \"$user\"");
        assertEquals(List.of(List.of("public, \"$user\"")), rows(admin.query("SHOW search_path")),
                "a list of names, each quoted where PostgreSQL would quote it");
    }

    @Test
    void showNamesItsColumnAsPostgreSqlSpellsTheParameter() {
        assertEquals(List.of("DateStyle"), ConsoleChannel.names(ConsoleChannel.columns(
                admin.query("show datestyle").get(0))));
        List<BackendMessage> answer = admin.query("SHOW TIME ZONE");
        assertEquals(List.of("TimeZone"), ConsoleChannel.names(ConsoleChannel.columns(answer.get(0))));
        assertEquals(List.of(List.of("UTC")), rows(answer));
        answer = admin.query("show transaction isolation level");
        assertEquals(List.of("transaction_isolation"), ConsoleChannel.names(ConsoleChannel.columns(answer.get(0))));
        assertEquals(List.of(List.of("read committed")), rows(answer));
        assertEquals(List.of(List.of("root")), rows(admin.query("SHOW SESSION AUTHORIZATION")));
        admin.query("SET TIME ZONE 'Europe/Berlin'");
        assertEquals("RESET", admin.query("RESET TIME ZONE").get(0).commandTag());
        assertEquals(List.of(List.of("UTC")), rows(admin.query("SHOW TimeZone")));
    }

    @Test
    void resetAndSetToDefaultGoBackToTheSessionsStartingValue() {
        admin.query("SET extra_float_digits = 3");
        admin.query("SET extra_float_digits TO DEFAULT");
        assertEquals(List.of(List.of("2")), rows(admin.query("SHOW extra_float_digits")), "from the startup packet");
        admin.query("SET application_name = 'x'");
        List<BackendMessage> answer = admin.query("RESET application_name");
        assertEquals("CSZ", types(answer));
        assertEquals("", status(answer).paramValue());
        assertEquals("RESET", answer.get(0).commandTag());
        admin.query("SET TIME ZONE 'Europe/Berlin'");
        admin.query("SET lock_timeout = '1s'");
        answer = admin.query("RESET ALL");
        assertEquals("CSZ", types(answer));
        assertEquals("TimeZone", status(answer).paramName());
        assertEquals(List.of(List.of("0")), rows(admin.query("SHOW lock_timeout")));
        assertEquals(SqlState.UNDEFINED_OBJECT, admin.query("RESET query_timeout").get(0).errorField('C'));
        assertEquals(SqlState.SYNTAX_ERROR, admin.query("RESET").get(0).errorField('C'));
    }

    @Test
    void theEncodingStaysUtf8WhateverTheClientSets() {
        assertEquals("CZ", types(admin.query("SET client_encoding = 'LATIN1'")));
        assertEquals(List.of(List.of("UTF8")), rows(admin.query("SHOW client_encoding")));
        assertEquals(List.of(List.of("UTF8")), rows(admin.query("SHOW server_encoding")));
    }

    @Test
    void showOfAParameterNoOneSetAnswersPostgreSqlsDefault() {
        assertEquals(List.of(List.of("0")), rows(admin.query("SHOW lock_timeout")));
        assertEquals(List.of(List.of("\"$user\", public")), rows(admin.query("SHOW search_path")));
        assertEquals(List.of(List.of("off")), rows(admin.query("SHOW in_hot_standby")));
    }

    @Test
    void anIncompleteSetIsASyntaxError() {
        for (String sql : new String[] {"SET", "SET application_name", "SET application_name =",
                "SET search_path = a,", "SET = 3", "SET 'x' = 3"}) {
            List<BackendMessage> answer = admin.query(sql);
            assertEquals("EZ", types(answer), sql);
            assertEquals(SqlState.SYNTAX_ERROR, answer.get(0).errorField('C'), sql);
        }
        assertTrue(control.calls.isEmpty());
    }

    @Test
    void aPgmuxSettingTakesOneValue() {
        List<BackendMessage> answer = admin.query("SET query_timeout = 5, 6");
        assertEquals(SqlState.SYNTAX_ERROR, answer.get(0).errorField('C'));
        assertTrue(control.calls.isEmpty());
    }

    @Test
    void extraColumnsOffLeavesPgmuxsColumnsOut() {
        assertEquals(20, ConsoleChannel.columns(admin.query("SHOW POOLS").get(0)).size());
        assertEquals("CZ", types(admin.query("SET pgmux.extra_columns = off")));
        assertEquals(17, ConsoleChannel.columns(admin.query("SHOW POOLS").get(0)).size());
        assertEquals(21, ConsoleChannel.columns(admin.query("SHOW CLIENTS").get(0)).size());
        assertEquals(21, ConsoleChannel.columns(admin.query("SHOW SERVERS").get(0)).size());
        assertEquals(8, ConsoleChannel.columns(admin.query("SHOW USERS").get(0)).size());
        List<BackendMessage> pools = admin.query("SHOW POOLS");
        assertEquals(17, rows(pools).get(0).size(), "rows lose the cells too");
        admin.query("SET pgmux.extra_columns = on");
        assertEquals(20, ConsoleChannel.columns(admin.query("SHOW POOLS").get(0)).size());
    }

    @Test
    void extraColumnsMayBeTurnedOffAtStartup() {
        try (ConsoleChannel strict = ConsoleChannel.open(console, AdminRole.STATS,
                Map.of("pgmux.extra_columns", "false"))) {
            strict.received();
            assertEquals(17, ConsoleChannel.columns(strict.query("SHOW POOLS").get(0)).size());
        }
    }

    @Test
    void anInvalidExtraColumnsValueIsRefused() {
        List<BackendMessage> answer = admin.query("SET pgmux.extra_columns = sometimes");
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, answer.get(0).errorField('C'));
        try (ConsoleChannel refused = ConsoleChannel.open(console, AdminRole.ADMIN,
                Map.of("pgmux.extra_columns", "sometimes"))) {
            List<BackendMessage> greeting = refused.received();
            assertEquals("E", types(greeting));
            assertEquals("FATAL", greeting.get(0).errorField('S'));
            assertEquals(SqlState.INVALID_PARAMETER_VALUE, greeting.get(0).errorField('C'));
            assertFalse(refused.channel.isActive());
        }
    }

    @Test
    void anApplicationNameIsKeptAsPostgreSqlKeepsIt() {
        List<BackendMessage> answer = admin.query("SET application_name = 'caf\u00e9\tbar'");
        assertEquals("CSZ", types(answer));
        assertEquals("caf???bar", status(answer).paramValue(), "each byte outside printable ASCII becomes '?'");
        assertEquals(List.of(List.of("caf???bar")), rows(admin.query("SHOW application_name")));
        try (ConsoleChannel named = ConsoleChannel.open(console, AdminRole.ADMIN,
                Map.of("application_name", "na\u00efve"))) {
            BackendMessage reported = named.received().stream()
                    .filter(m -> m.type() == 'S' && m.paramName().equals("application_name")).findFirst().orElseThrow();
            assertEquals("na??ve", reported.paramValue(), "from the startup packet too");
        }
    }

    @Test
    void aLongApplicationNameIsCutAsPostgreSqlCutsItWithItsNotice() {
        String huge = "C".repeat(40_000);
        List<BackendMessage> answer = admin.query("SET application_name = '" + huge + "'");
        assertEquals("NCSZ", types(answer));
        assertEquals("NOTICE", answer.get(0).errorField('S'));
        assertEquals("42622", answer.get(0).errorField('C'));
        assertEquals("identifier \"" + huge + "\" will be truncated to \"" + "C".repeat(63) + "\"",
                answer.get(0).errorField('M'));
        assertEquals("C".repeat(63), status(answer).paramValue(), "a ParameterStatus libpq reads");
        assertEquals(List.of(List.of("C".repeat(63))), rows(admin.query("SHOW application_name")));
        assertEquals("NCZ", types(admin.query("SET application_name = '" + huge + "'")), "unchanged: not reported");
        try (ConsoleChannel named = ConsoleChannel.open(console, AdminRole.ADMIN, Map.of("application_name", huge))) {
            List<BackendMessage> greeting = named.received();
            assertEquals('N', greeting.get(0).type(), "the notice comes before the parameters");
            assertEquals("42622", greeting.get(0).errorField('C'));
            BackendMessage reported = greeting.stream()
                    .filter(m -> m.type() == 'S' && m.paramName().equals("application_name")).findFirst().orElseThrow();
            assertEquals("C".repeat(63), reported.paramValue(), "from the startup packet too");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DateStyle", "IntervalStyle", "TimeZone"})
    void aHugeValueOfAReportedParameterIsRefusedNotEchoed(String name) {
        String huge = "C".repeat(40_000);
        List<BackendMessage> answer = admin.query("SET " + name + " = '" + huge + "'");
        assertEquals("EZ", types(answer), "no ParameterStatus");
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, answer.get(0).errorField('C'));
        String named = name.equals("IntervalStyle") ? "intervalstyle" : name; // an enum's error: as the SET wrote it
        assertEquals("invalid value for parameter \"" + named + "\": \"" + huge + "\"", answer.get(0).errorField('M'));
        List<BackendMessage> shown = admin.query("SHOW " + name);
        assertEquals("TDCZ", types(shown), "the session goes on");
        assertTrue(rows(shown).get(0).get(0).length() < 100, "the value is unchanged");
    }

    @Test
    void reportedParametersAreSpelledAsPostgreSqlReportsThem() {
        List<BackendMessage> answer = admin.query("SET DateStyle = german");
        assertEquals("CSZ", types(answer));
        assertEquals("German, DMY", status(answer).paramValue());
        answer = admin.query("SET IntervalStyle = 'SQL_STANDARD'");
        assertEquals("IntervalStyle", status(answer).paramName());
        assertEquals("sql_standard", status(answer).paramValue());
        answer = admin.query("SET DateStyle = 'ISO, later'");
        assertEquals("EZ", types(answer));
        assertEquals("Unrecognized key word: \"later\".", answer.get(0).errorField('D'));
    }

    @Test
    void anUnquotedNameIsFoldedToLowerCaseAsPostgreSqlFoldsIt() {
        List<BackendMessage> answer = admin.query("SET application_name = Billing");
        assertEquals("CSZ", types(answer));
        assertEquals("billing", status(answer).paramValue());
        assertEquals("Billing", status(admin.query("SET application_name = \"Billing\"")).paramValue());
        assertEquals("CZ", types(admin.query("SET application_name = 'Billing'")), "the same value: not reported");
        admin.query("SET search_path = 'My Schema', Public, \"Other\"");
        assertEquals(List.of(List.of("\"My Schema\", public, \"Other\"")), rows(admin.query("SHOW search_path")));
        admin.query("SET lock_timeout = '5000'");
        assertEquals(List.of(List.of("5s")), rows(admin.query("SHOW lock_timeout")), "a timeout in PostgreSQL's units");
    }

    @Test
    void aLongNameIsCutWithTheScannersNotice() {
        String name = "Y".repeat(70);
        List<BackendMessage> answer = admin.query("SET search_path = " + name);
        assertEquals("NCZ", types(answer));
        assertEquals("identifier \"" + "y".repeat(70) + "\" will be truncated to \"" + "y".repeat(63) + "\"",
                answer.get(0).errorField('M'));
        assertEquals(List.of(List.of("y".repeat(63))), rows(admin.query("SHOW search_path")));
    }

    @Test
    void aParameterThatIsNotAListTakesOneItem() {
        List<BackendMessage> answer = admin.query("SET application_name = a, b");
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, answer.get(0).errorField('C'));
        assertEquals("SET application_name takes only one argument", answer.get(0).errorField('M'));
        assertEquals(SqlState.SYNTAX_ERROR, admin.query("SET statement_timeout = 10s").get(0).errorField('C'));
    }

    @Test
    void defaultTransactionReadOnlyIsABooleanReportedWhenItChanges() {
        List<BackendMessage> answer = admin.query("SET default_transaction_read_only = 'YES'");
        assertEquals("CSZ", types(answer));
        assertEquals("default_transaction_read_only", status(answer).paramName());
        assertEquals("on", status(answer).paramValue());
        assertEquals("CZ", types(admin.query("SET default_transaction_read_only = true")), "unchanged: not reported");
        answer = admin.query("SET default_transaction_read_only = maybe");
        assertEquals("EZ", types(answer));
        assertEquals("parameter \"default_transaction_read_only\" requires a Boolean value",
                answer.get(0).errorField('M'));
        assertEquals(List.of(List.of("on")), rows(admin.query("SHOW default_transaction_read_only")));
    }

    @Test
    void enumSettingsAreShownInLowerCaseAndCheckedAsPostgreSqlChecksThem() {
        admin.query("SET default_transaction_isolation = 'REPEATABLE READ'");
        assertEquals(List.of(List.of("repeatable read")), rows(admin.query("SHOW default_transaction_isolation")));
        admin.query("SET client_min_messages = 'Debug'");
        assertEquals(List.of(List.of("debug2")), rows(admin.query("SHOW client_min_messages")));
        List<BackendMessage> answer = admin.query("SET bytea_output = 'base64'");
        assertEquals("EZ", types(answer));
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, answer.get(0).errorField('C'));
        assertEquals("Available values: escape, hex.", answer.get(0).errorField('H'));
    }

    @Test
    void aTimeZoneIsSpelledAsPostgreSqlSpellsIt() {
        List<BackendMessage> answer = admin.query("SET TIME ZONE 'europe/berlin'");
        assertEquals("CSZ", types(answer));
        assertEquals("Europe/Berlin", status(answer).paramValue());
        assertEquals("<-08>+08", status(admin.query("SET TIME ZONE -8")).paramValue());
        assertEquals("<+03:30>-03:30", status(admin.query("SET TimeZone = 3.5")).paramValue());
    }

    @Test
    void anInvalidReportedParameterInTheStartupPacketIsFatal() {
        try (ConsoleChannel refused = ConsoleChannel.open(console, AdminRole.ADMIN,
                Map.of("DateStyle", "C".repeat(40_000)))) {
            List<BackendMessage> greeting = refused.received();
            assertEquals("E", types(greeting));
            assertEquals("FATAL", greeting.get(0).errorField('S'));
            assertEquals(SqlState.INVALID_PARAMETER_VALUE, greeting.get(0).errorField('C'));
            assertFalse(refused.channel.isActive());
        }
    }

    /** The one ParameterStatus of an answer. */
    private static BackendMessage status(List<BackendMessage> answer) {
        return answer.stream().filter(m -> m.type() == 'S').findFirst()
                .orElseThrow(() -> new AssertionError("no ParameterStatus in " + answer));
    }
}
