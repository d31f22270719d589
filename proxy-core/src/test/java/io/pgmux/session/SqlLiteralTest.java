package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SqlLiteralTest {
    @Test
    void asciiIsAnEscapeStringWithQuotesAndBackslashesDoubled() {
        assertEquals("E'a, b'", SqlLiteral.of("a, b"));
        assertEquals("E'it''s \\\\ here'", SqlLiteral.of("it's \\ here"));
        assertEquals("E''", SqlLiteral.of(""));
    }

    @Test
    void anythingBeyondAsciiTravelsAsUtf8Hex() {
        assertEquals("pg_catalog.convert_from(pg_catalog.decode('636166c3a9', 'hex'), 'UTF8')", SqlLiteral.of("café"));
    }

    @Test
    void hexReadsBackAsTheText() {
        assertEquals("café, it's", SqlLiteral.fromHex("636166c3a92c2069742773"));
        assertEquals("", SqlLiteral.fromHex(""));
        assertNull(SqlLiteral.fromHex(null));
    }
}
