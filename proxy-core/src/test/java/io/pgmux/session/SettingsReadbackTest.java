package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsReadbackTest {
    @Test
    void readsByNameWithoutTheClientsTimeoutOrSearchPathMattering() {
        String sql = new SettingsReadback(new LinkedHashSet<>(List.of("role", "myapp.x")), Map.of(), false).sql();
        assertTrue(sql.startsWith("SET LOCAL statement_timeout = 0; SELECT v.n, "), sql);
        assertTrue(sql.contains("FROM (VALUES (E'role'), (E'myapp.x')) AS v(n)"), sql);
        assertFalse(sql.contains("pg_settings"), "no scan of pg_settings when every name is known: " + sql);
        // No operator, which the client's search_path could redefine, besides SET's own '='.
        assertFalse(sql.replace("statement_timeout = 0", "").replaceAll("'[^']*'", "").matches("(?s).*[=<>].*"),
                sql);
    }

    @Test
    void restoresStartupValuesOnlyWhereTheyAreNoLongerAtSessionLevel() {
        // Operators here too are pg_catalog functions (texteq, textne), whatever the search_path.
        String sql = new SettingsReadback(new LinkedHashSet<>(List.of("search_path")), Map.of("search_path", "a,b"),
                true).sql();
        assertTrue(sql.contains("SELECT pg_catalog.set_config(v.n, v.s, false) FROM (VALUES (E'search_path', E'a,b'))"),
                sql);
        assertTrue(sql.contains("pg_catalog.textne(p.source, 'session')"), sql);
        assertTrue(sql.contains("UNION ALL SELECT pg_catalog.lower(p.name)"), "every session-level setting: " + sql);
    }

    @Test
    void insideABlockOnlyTheRestoreRunsAndNothingOfTheTransactionChanges() {
        String sql = new SettingsReadback(Set.of(), Map.of("work_mem", "5MB"), false).restoreSql();
        assertTrue(sql.startsWith("SELECT pg_catalog.set_config(v.n, v.s, false) FROM (VALUES (E'work_mem', E'5MB'))"),
                sql);
        assertTrue(sql.endsWith("ELSE pg_catalog.textne(p.source, 'session') END"), sql);
        assertFalse(sql.contains("SET LOCAL"), "the client's block keeps its statement_timeout: " + sql);
        assertFalse(sql.contains(";"), "one statement: " + sql);
    }

    @Test
    void statementTimeoutIsReadBeforeTheReadbackSetsItsOwn() {
        String sql = new SettingsReadback(new LinkedHashSet<>(List.of("role", "statement_timeout")), Map.of(),
                false).sql();
        int guard = sql.indexOf("SET LOCAL statement_timeout = 0");
        int read = sql.indexOf("SELECT E'statement_timeout', pg_catalog.encode(pg_catalog.convert_to("
                + "pg_catalog.current_setting(E'statement_timeout'), 'UTF8'), 'hex'); ");
        assertTrue(read >= 0 && read < guard, "read by name before the guard: " + sql);
        assertEquals(-1, sql.indexOf("statement_timeout", guard + "SET LOCAL statement_timeout = 0".length()),
                "never read after the guard: " + sql);
        assertTrue(sql.endsWith("FROM (VALUES (E'role')) AS v(n)"), sql);
    }

    @Test
    void theScanOfSessionLevelSettingsSeesTheClientsStatementTimeoutNotTheGuard() {
        String sql = new SettingsReadback(new LinkedHashSet<>(List.of("role")), Map.of(), true).sql();
        int guard = sql.indexOf("SET LOCAL statement_timeout = 0");
        int read = sql.indexOf("WHERE pg_catalog.texteq(p.name, E'statement_timeout')"
                + " AND pg_catalog.texteq(p.source, 'session'); ");
        assertTrue(read >= 0 && read < guard, "at session level before the guard, and only then: " + sql);
        assertTrue(sql.endsWith("WHERE pg_catalog.texteq(p.source, 'session')"
                + " AND pg_catalog.textne(p.name, E'statement_timeout')"
                + " AND pg_catalog.textne(p.name, E'transaction_isolation')"
                + " AND pg_catalog.textne(p.name, E'transaction_read_only')"
                + " AND pg_catalog.textne(p.name, E'transaction_deferrable')"),
                "the scan after it leaves it and a transaction's own settings out: " + sql);
    }

    @Test
    void aTransactionsOwnSettingsAreNeverAskedFor() {
        SettingsReadback readback = new SettingsReadback(new LinkedHashSet<>(List.of("transaction_isolation",
                "work_mem", "transaction_read_only", "transaction_deferrable")), Map.of(), false);
        assertEquals(Set.of("work_mem"), readback.names());
        assertFalse(readback.sql().contains("transaction_"), readback.sql());
    }

    @Test
    void nothingIsReadAfterTheGuardWhenStatementTimeoutIsTheOnlyName() {
        String sql = new SettingsReadback(new LinkedHashSet<>(List.of("statement_timeout")),
                Map.of("statement_timeout", "5s"), false).sql();
        assertTrue(sql.startsWith("SELECT pg_catalog.set_config(v.n, v.s, false) FROM (VALUES (E'statement_timeout',"
                + " E'5s'))"), "the startup value is restored while its source is still the client's: " + sql);
        assertTrue(sql.endsWith("; SET LOCAL statement_timeout = 0"), sql);
    }

    @Test
    void theAnswerIsTheTwoColumnRowsDecoded() {
        SettingsReadback.Answer answer = new SettingsReadback.Answer();
        answer.row(List.of("app1"));
        answer.row(Arrays.asList("myapp.x", null));
        answer.row(List.of("search_path", "612c2062"));
        assertEquals(2, answer.values().size());
        assertEquals("a, b", answer.values().get("search_path"));
        assertTrue(answer.values().containsKey("myapp.x"));
        assertEquals(null, answer.values().get("myapp.x"));
    }
}
