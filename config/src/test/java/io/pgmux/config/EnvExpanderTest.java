package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EnvExpanderTest {
    private final EnvExpander expander = new EnvExpander(Map.of("HOST", "db.internal", "EMPTY", "", "N", "3"));

    private String expanded(String raw) {
        EnvExpander.Expansion expansion = expander.expand(raw);
        assertEquals(List.of(), expansion.errors());
        return expansion.text();
    }

    private List<String> errors(String raw) {
        return expander.expand(raw).errors();
    }

    @Test
    void substitutesSetVariables() {
        assertEquals("db.internal", expanded("${HOST}"));
        assertEquals("pg-db.internal:3", expanded("pg-${HOST}:${N}"));
    }

    @Test
    void defaultAppliesWhenUnsetOrEmpty() {
        assertEquals("fallback", expanded("${MISSING:-fallback}"));
        assertEquals("fallback", expanded("${EMPTY:-fallback}"));
        assertEquals("db.internal", expanded("${HOST:-fallback}"));
        assertEquals("", expanded("${MISSING:-}"));
        assertEquals("a:-b", expanded("${MISSING:-a:-b}"));
    }

    @Test
    void setButEmptyWithoutDefaultIsEmpty() {
        assertEquals("", expanded("${EMPTY}"));
    }

    @Test
    void doubleDollarIsALiteralDollar() {
        assertEquals("${HOST}", expanded("$${HOST}"));
        assertEquals("pa$word", expanded("pa$$word"));
        assertEquals("$$", expanded("$$$$"));
    }

    @Test
    void loneDollarIsKept() {
        assertEquals("pa$word$", expanded("pa$word$"));
        assertEquals("$1.00", expanded("$1.00"));
    }

    @Test
    void missingVariableIsNamed() {
        List<String> errors = errors("${NOPE}");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("environment variable NOPE is not set"), errors.get(0));
    }

    @Test
    void everyMissingVariableIsReported() {
        assertEquals(2, errors("${A}:${HOST}:${B}").size());
    }

    @Test
    void malformedReferencesAreErrors() {
        assertTrue(errors("${HOST").get(0).contains("unterminated"));
        assertTrue(errors("${}").get(0).contains("does not name an environment variable"));
        assertTrue(errors("${1X}").get(0).contains("does not name an environment variable"));
        assertTrue(errors("${A-B}").get(0).contains("does not name an environment variable"));
    }
}
