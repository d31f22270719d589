package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console's reported parameters take the values PostgreSQL 15 keeps, or its refusals. */
class CheckHooksTest {
    @Test
    void applicationNameKeepsPrintableAsciiAndMarksEveryOtherByte() {
        assertEquals("billing batch-7 ~!", applicationName("billing batch-7 ~!", List.of()));
        assertEquals("caf??", applicationName("caf\u00e9", List.of()), "two UTF-8 bytes, two marks");
        assertEquals("a?b???c????", applicationName("a\tb\u20acc\ud83d\ude00", List.of()));
        assertEquals("?", applicationName("\u007f", List.of()));
        assertEquals("", applicationName("", List.of()));
    }

    @Test
    void aLongApplicationNameIsCutTo63BytesWithPostgreSqlsNotice() {
        String given = "A".repeat(60) + "BCDEFGH";
        String kept = "A".repeat(60) + "BCD";
        assertEquals(kept, applicationName(given, List.of("identifier \"" + given + "\" will be truncated to \""
                + kept + "\"")));
        assertEquals("C".repeat(63), applicationName("C".repeat(63), List.of()), "63 bytes are kept whole");
        String accents = "\u00e9".repeat(40);
        assertEquals("?".repeat(62), applicationName(accents, List.of("identifier \"" + accents
                + "\" will be truncated to \"" + "\u00e9".repeat(31) + "\"")),
                "cut at a character's end, then cleaned");
    }

    /** application_name's value, checking the NOTICEs' messages (NOTICE 42622 each). */
    private static String applicationName(String value, List<String> noticed) {
        List<PgError> notices = new ArrayList<>();
        String kept = CheckHooks.applicationName(value, notices::add);
        List<String> messages = new ArrayList<>();
        for (PgError each : notices) {
            assertEquals(PgError.NOTICE, each.severity());
            assertEquals("42622", each.sqlState());
            messages.add(each.message());
        }
        assertEquals(noticed, messages);
        return kept;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ISO, DMY|ISO, MDY|ISO, DMY",
        "iso|SQL, DMY|ISO, DMY",
        "dmy|SQL, MDY|SQL, DMY",
        "German|ISO, MDY|German, DMY",
        "German, MDY|ISO, YMD|German, MDY",
        "MDY, German|ISO, YMD|German, MDY",
        "postgres, euro|ISO, MDY|Postgres, DMY",
        "US|ISO, DMY|ISO, MDY",
        "noneuropean, sql|ISO, DMY|SQL, MDY",
        "european|ISO, MDY|ISO, DMY",
        "ymd|ISO, MDY|ISO, YMD",
        "default|SQL, DMY|ISO, MDY",
        "ISO, ISO|SQL, DMY|ISO, DMY"})
    void dateStyleIsSpelledAsPostgreSqlSpellsIt(String value, String current, String kept) {
        assertEquals(kept, CheckHooks.dateStyle(value, current));
    }

    @Test
    void anInvalidDateStyleIsRefusedWithPostgreSqlsDetail() {
        PgError unknown = refused(() -> CheckHooks.dateStyle("ISO, later", "ISO, MDY"));
        assertEquals("invalid value for parameter \"DateStyle\": \"ISO, later\"", unknown.message());
        assertEquals("Unrecognized key word: \"later\".", unknown.detail());
        assertEquals("Conflicting \"datestyle\" specifications.",
                refused(() -> CheckHooks.dateStyle("ISO, SQL", "ISO, MDY")).detail());
        assertEquals("Conflicting \"datestyle\" specifications.",
                refused(() -> CheckHooks.dateStyle("DMY, MDY", "ISO, MDY")).detail());
        assertEquals("List syntax is invalid.", refused(() -> CheckHooks.dateStyle("ISO DMY", "ISO, MDY")).detail());
        assertEquals("List syntax is invalid.", refused(() -> CheckHooks.dateStyle("ISO,", "ISO, MDY")).detail());
        assertEquals("Unrecognized key word: \"later\".",
                refused(() -> CheckHooks.dateStyle("LATER", "ISO, MDY")).detail(), "as an identifier: lower case");
        String huge = "C".repeat(40_000);
        assertEquals("Unrecognized key word: \"" + "c".repeat(63) + "\".",
                refused(() -> CheckHooks.dateStyle(huge, "ISO, MDY")).detail());
    }

    @Test
    void intervalStyleIsOneOfFourInLowerCase() {
        assertEquals("sql_standard", CheckHooks.intervalStyle("intervalstyle", "SQL_Standard"));
        assertEquals("iso_8601", CheckHooks.intervalStyle("intervalstyle", "iso_8601"));
        PgError refused = refused(() -> CheckHooks.intervalStyle("intervalstyle", "roman"));
        assertEquals("invalid value for parameter \"intervalstyle\": \"roman\"", refused.message(),
                "the name as the client wrote it, as PostgreSQL's enum check does");
        assertNull(refused.detail());
        assertEquals("Available values: postgres, postgres_verbose, sql_standard, iso_8601.", refused.hint());
    }

    @Test
    void aTimeZoneNamePostgreSqlCannotLoadForItsLengthIsRefused() {
        assertEquals("Europe/Berlin", CheckHooks.timeZone("Europe/Berlin"));
        String longest = "Z".repeat(CheckHooks.TZ_STRLEN_MAX);
        assertEquals(longest, CheckHooks.timeZone(longest));
        PgError refused = refused(() -> CheckHooks.timeZone(longest + "Z"));
        assertEquals("invalid value for parameter \"TimeZone\": \"" + longest + "Z\"", refused.message());
        refused(() -> CheckHooks.timeZone(""));
    }

    private static PgError refused(org.junit.jupiter.api.function.Executable check) {
        PgError error = assertThrows(AdminException.class, check).error();
        assertEquals(PgError.ERROR, error.severity());
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, error.sqlState());
        return error;
    }
}
