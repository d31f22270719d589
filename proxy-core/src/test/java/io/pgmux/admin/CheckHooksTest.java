package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    @Test
    void aTimeZoneTheJdkKnowsTakesItsSpellingAsPostgreSqlTakesItsDatabases() {
        assertEquals("UTC", CheckHooks.timeZone("utc"));
        assertEquals("Europe/Berlin", CheckHooks.timeZone("europe/BERLIN"));
        assertEquals("Nowhere/Else", CheckHooks.timeZone("Nowhere/Else"), "unknown here: kept as given");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"-8|<-08>+08", "3.5|<+03:30>-03:30", "+3|<+03>-03", "' 3'|<+03>-03",
        "-0|<+00>-00", "0.0001|<+00>-00", "167|<+167>-167", "5.7525|<+05:45:09>-05:45:09", "-1e1|<-10>+10"})
    void aNumberOfHoursIsAFixedOffsetNamedAsPostgreSqlNamesIt(String hours, String named) {
        assertEquals(named, CheckHooks.timeZone(hours));
    }

    @Test
    void anOffsetOfAWeekOrMoreIsRefused() {
        PgError refused = refused(() -> CheckHooks.timeZone("168"));
        assertEquals("invalid value for parameter \"TimeZone\": \"168\"", refused.message());
        assertEquals("UTC timezone offset is out of range.", refused.detail());
        refused(() -> CheckHooks.timeZone("-200"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"on|on", "ON|on", "of|off", "off|off", "t|on", "TRUE|on", "tr|on", "y|on",
        "yes|on", "1|on", "f|off", "fal|off", "n|off", "No|off", "0|off"})
    void aBooleanTakesPostgreSqlsSpellingsAndIsShownOnOrOff(String given, String shown) {
        assertEquals(shown, CheckHooks.bool("jit", given));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"o", "maybe", "2", "''", "yess", "onn"})
    void anythingElseIsNotABoolean(String given) {
        assertEquals("parameter \"JIT\" requires a Boolean value",
                refused(() -> CheckHooks.bool("JIT", given)).message());
    }

    @Test
    void anEnumTakesItsValuesInAnyCaseAndItsHiddenSpellings() {
        List<String> levels = List.of("log", "notice", "warning");
        assertEquals("warning", CheckHooks.enumValue("client_min_messages", "WARNING", levels, Map.of()));
        assertEquals("debug2", CheckHooks.enumValue("client_min_messages", "Debug", levels,
                Map.of("debug", "debug2")));
        PgError refused = refused(() -> CheckHooks.enumValue("client_min_messages", "loud", levels, Map.of()));
        assertEquals("invalid value for parameter \"client_min_messages\": \"loud\"", refused.message());
        assertEquals("Available values: log, notice, warning.", refused.hint());
    }

    private static PgError refused(org.junit.jupiter.api.function.Executable check) {
        PgError error = assertThrows(AdminException.class, check).error();
        assertEquals(PgError.ERROR, error.severity());
        assertEquals(SqlState.INVALID_PARAMETER_VALUE, error.sqlState());
        return error;
    }
}
