package io.pgmux.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PgErrorTest {
    @Test
    void buildsFatalAndErrorWithOptionalParts() {
        PgError error = PgError.fatal("28P01", "bad password").withDetail("no such role").withHint("check config");
        assertEquals(new PgError("FATAL", "28P01", "bad password", "no such role", "check config"), error);
        assertTrue(error.isFatal());
        PgError plain = PgError.error("42P01", "nope");
        assertFalse(plain.isFatal());
        assertNull(plain.detail());
        assertNull(plain.hint());
        assertEquals("NOTICE", plain.withSeverity(PgError.NOTICE).severity());
    }

    @Test
    void panicIsFatalToo() {
        assertTrue(new PgError("PANIC", "XX000", "boom", null, null).isFatal());
    }

    @Test
    void requiresSeveritySqlStateAndMessage() {
        assertThrows(NullPointerException.class, () -> new PgError(null, "XX000", "m", null, null));
        assertThrows(NullPointerException.class, () -> new PgError("ERROR", null, "m", null, null));
        assertThrows(NullPointerException.class, () -> new PgError("ERROR", "XX000", null, null, null));
    }
}
