package io.pgmux.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** PGMUX_TEST_PG_URL parsing; no server needed. */
final class ExternalPostgresTest {

    @Test
    void parsesFullUrl() {
        ExternalPostgres pg = ExternalPostgres.parse("postgresql://admin:s%40cr%3At@db.example:6543/main");
        assertEquals("db.example", pg.host());
        assertEquals(6543, pg.port());
        assertEquals("admin", pg.superuserName());
        assertEquals("s@cr:t", pg.superuserPassword());
        assertEquals("main", pg.superuserDatabase());
        assertFalse(pg.canRestart());
    }

    @Test
    void defaultsPortUserAndDatabase() {
        ExternalPostgres pg = ExternalPostgres.parse("jdbc:postgresql://127.0.0.1");
        assertEquals(5432, pg.port());
        assertEquals("postgres", pg.superuserName());
        assertNull(pg.superuserPassword());
        assertEquals("postgres", pg.superuserDatabase());
    }

    @Test
    void keepsPlusSignsInPasswords() {
        assertEquals("a+b", ExternalPostgres.parse("postgres://u:a+b@h/d").superuserPassword());
    }

    @Test
    void rejectsOtherSchemes() {
        assertThrows(IllegalArgumentException.class, () -> ExternalPostgres.parse("mysql://u@h/d"));
    }
}
