package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Integer settings take the values PostgreSQL 15 keeps and shows, or its refusals. */
class IntegerSettingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"5000|5s", "5s|5s", "90s|90s", "120s|2min", "1.5|2ms", "0.5|0", "1.5s|1500ms",
        "1 min|1min", "'5 s '|5s", "3600000|1h", "86400000|1d", "1e3|1s", "10us|0", "1500us|2ms", ".5h|30min",
        "'  7'|7ms", "0|0", "0x10|16ms", "010|8ms"})
    void aTimeoutIsReadAndShownInPostgreSqlsUnits(String given, String shown) {
        assertEquals(shown, IntegerSetting.milliseconds("statement_timeout", given));
    }

    @Test
    void aTimeoutPostgreSqlRefusesIsRefusedWithItsMessageAndHint() {
        String units = "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";
        for (String given : new String[] {"5S", "5x", "5 s x"}) {
            PgError refused = refused(() -> IntegerSetting.milliseconds("lock_timeout", given));
            assertEquals("invalid value for parameter \"lock_timeout\": \"" + given + "\"", refused.message());
            assertEquals(units, refused.hint());
        }
        assertNull(refused(() -> IntegerSetting.milliseconds("lock_timeout", "")).hint());
        assertEquals("Value exceeds integer range.",
                refused(() -> IntegerSetting.milliseconds("lock_timeout", "2147483648")).hint());
        assertEquals("Value exceeds integer range.",
                refused(() -> IntegerSetting.milliseconds("lock_timeout", "25d")).hint());
        assertEquals("-1 ms is outside the valid range for parameter \"lock_timeout\" (0 .. 2147483647)",
                refused(() -> IntegerSetting.milliseconds("lock_timeout", "-1")).message());
    }

    @Test
    void anIntegerIsReadAsParseIntReadsItAndCheckedAgainstItsRange() {
        assertEquals("2", IntegerSetting.integer("extra_float_digits", "2.5", -15, 3), "half to even");
        assertEquals("1", IntegerSetting.integer("extra_float_digits", "0x1", -15, 3));
        assertEquals("2", IntegerSetting.integer("extra_float_digits", "+2", -15, 3));
        assertEquals("-15", IntegerSetting.integer("extra_float_digits", "-15", -15, 3));
        assertEquals("10 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)",
                refused(() -> IntegerSetting.integer("extra_float_digits", "10", -15, 3)).message());
        PgError unit = refused(() -> IntegerSetting.integer("extra_float_digits", "1 ms", -15, 3));
        assertEquals("invalid value for parameter \"extra_float_digits\": \"1 ms\"", unit.message());
        assertNull(unit.hint(), "a setting without units has no units to list");
    }

    private static PgError refused(org.junit.jupiter.api.function.Executable check) {
        PgError error = assertThrows(AdminException.class, check).error();
        assertEquals(PgError.ERROR, error.severity());
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, error.sqlState());
        return error;
    }
}
