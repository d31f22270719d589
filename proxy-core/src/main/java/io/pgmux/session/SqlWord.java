package io.pgmux.session;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The words of SQL text that pgmux notices while lexing: those that decide where a statement ends
 * ({@code CREATE FUNCTION ... BEGIN ATOMIC ... END}), and those that say a statement may act on session state.
 * {@link SqlLexer} reports which of them begin a statement and which occur anywhere outside literals and
 * comments, as bits of a {@code long} ({@link #bit()}).
 */
enum SqlWord {
    // Statement structure.
    CREATE, OR, REPLACE, FUNCTION, PROCEDURE, BEGIN, ATOMIC, CASE, END,
    // Commands on session state.
    SET, RESET, DISCARD, DEALLOCATE, LISTEN, PREPARE, DECLARE, DO, LOAD,
    // Names that reach session state from inside any statement.
    SET_CONFIG, PG_SETTINGS, PG_ADVISORY_LOCK, PG_ADVISORY_LOCK_SHARED, PG_TRY_ADVISORY_LOCK,
    PG_TRY_ADVISORY_LOCK_SHARED, TEMP, TEMPORARY, PG_TEMP;

    private final byte[] text = name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);

    /** The word in lower case, as ASCII bytes. */
    byte[] text() {
        return text;
    }

    long bit() {
        return 1L << ordinal();
    }

    /** The union of the words' bits. */
    static long bits(SqlWord... words) {
        long result = 0;
        for (SqlWord each : words) {
            result |= each.bit();
        }
        return result;
    }
}
