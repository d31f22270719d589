package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * PostgreSQL 15's check hooks of the console's reported, Boolean and enum parameters (guc.c, variable.c; numbers in
 * {@link IntegerSetting}): what a SET or the startup packet gives becomes the value PostgreSQL would keep, SHOW and
 * report in ParameterStatus, or is refused as PostgreSQL refuses it (22023 invalid_parameter_value, {@code invalid
 * value for parameter "Name": "value"}, its DETAIL or HINT), with PostgreSQL's NOTICE where it gives one. Every value
 * these return is bounded, so no ParameterStatus grows past what libpq accepts of one (30,000 bytes, fe-protocol3.c):
 * a longer one makes it drop the connection as out of sync.
 */
final class CheckHooks {
    /** PostgreSQL's IntervalStyle values (intervalstyle_options), in its order. */
    private static final List<String> INTERVAL_STYLES = List.of("postgres", "postgres_verbose", "sql_standard",
            "iso_8601");
    /** The longest time zone name PostgreSQL loads (pgtz.h TZ_STRLEN_MAX); a longer one is invalid. */
    static final int TZ_STRLEN_MAX = 255;
    /** PostgreSQL's NAMEDATALEN (pg_config_manual.h): an identifier has at most one byte less. */
    private static final int NAMEDATALEN = 64;
    /** SQLSTATE name_too_long (errcodes.txt). */
    private static final String NAME_TOO_LONG = "42622";
    /** An offset PostgreSQL refuses as a time zone: a week (pgtz.c, a POSIX offset's hours are below 168). */
    private static final long MAX_OFFSET_SECONDS = 168 * 3600L;
    /** A TimeZone that is a number of hours, which check_timezone reads with strtod (leading white space skipped). */
    private static final Pattern HOURS = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** The JDK's time zone names by their lower-case spelling, for TimeZone's spelling. */
    private static final Map<String, String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .collect(Collectors.toUnmodifiableMap(id -> id.toLowerCase(Locale.ROOT), id -> id, (a, b) -> a));

    private CheckHooks() {
    }

    /**
     * application_name (a GUC_IS_NAME setting, then check_application_name and pg_clean_ascii): cut to
     * NAMEDATALEN - 1 = 63 bytes of UTF-8 at a character's end, with NOTICE 42622 name_too_long when it is
     * ({@code identifier "value" will be truncated to "kept"}); then every byte outside printable ASCII (32 to 126)
     * becomes {@code ?}, so a non-ASCII character becomes one {@code ?} per byte.
     *
     * @param notices receives the NOTICE, if any, for the client
     */
    static String applicationName(String value, Consumer<PgError> notices) {
        String name = clip(value);
        if (name.length() < value.length()) {
            notices.accept(new PgError(PgError.NOTICE, NAME_TOO_LONG, "identifier \"" + value
                    + "\" will be truncated to \"" + name + "\"", null, null));
        }
        StringBuilder clean = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            if (c >= 32 && c <= 126) {
                clean.append((char) c);
            } else {
                clean.append("?".repeat(utf8Length(c)));
            }
        });
        return clean.toString();
    }

    /**
     * DateStyle (check_datestyle): a comma-separated list of an output style (ISO, SQL, Postgres, German) and a
     * field order (YMD, DMY or its synonyms Euro and European, MDY or US, NonEuro and NonEuropean), in any case;
     * what the list leaves out stays as in {@code current}; German alone also means DMY. Returns PostgreSQL's
     * spelling, e.g. {@code ISO, MDY}.
     *
     * @param current the session's value, in PostgreSQL's spelling
     * @throws AdminException 22023 for an unknown key word, two styles or two orders, or a list that is not one
     */
    static String dateStyle(String value, String current) {
        String[] now = current.split(", ", 2);
        String style = now[0];
        String order = now[1];
        boolean haveStyle = false;
        boolean haveOrder = false;
        boolean conflict = false;
        for (String item : value.split(",", -1)) {
            String word = item.strip();
            if (word.isEmpty() || word.chars().anyMatch(Character::isWhitespace)) {
                throw invalid("DateStyle", value, "List syntax is invalid.", null);
            }
            String newStyle = null;
            String newOrder = null;
            switch (word.toLowerCase(Locale.ROOT)) {
                case "iso": newStyle = "ISO"; break;
                case "sql": newStyle = "SQL"; break;
                case "postgres": newStyle = "Postgres"; break;
                case "german": newStyle = "German"; break;
                case "ymd": newOrder = "YMD"; break;
                case "dmy": case "euro": case "european": newOrder = "DMY"; break;
                case "mdy": case "us": case "noneuro": case "noneuropean": newOrder = "MDY"; break;
                case "default": newStyle = haveStyle ? style : "ISO"; newOrder = haveOrder ? order : "MDY"; break;
                default:
                    throw invalid("DateStyle", value, "Unrecognized key word: \"" + keyWord(word) + "\".", null);
            }
            if (newStyle != null) {
                conflict |= haveStyle && !newStyle.equals(style);
                if (newStyle.equals("German") && !haveOrder) {
                    order = "DMY";
                }
                style = newStyle;
                haveStyle = true;
            }
            if (newOrder != null) {
                conflict |= haveOrder && !newOrder.equals(order);
                order = newOrder;
                haveOrder = true;
            }
        }
        if (conflict) {
            throw invalid("DateStyle", value, "Conflicting \"datestyle\" specifications.", null);
        }
        return style + ", " + order;
    }

    /**
     * IntervalStyle (an enum setting): one of postgres, postgres_verbose, sql_standard, iso_8601, in any case;
     * returns it in lower case. PostgreSQL's error names the parameter as the client did ({@code givenName}: as
     * written in the startup packet, in lower case from a SET that does not quote it).
     *
     * @throws AdminException 22023 for any other value, the HINT listing the values
     */
    static String intervalStyle(String givenName, String value) {
        return enumValue(givenName, value, INTERVAL_STYLES, Map.of());
    }

    /**
     * TimeZone (check_timezone): a number is an offset in hours east of UTC, named as PostgreSQL names it
     * ({@code -8} is {@code <-08>+08}, {@code 3.5} is {@code <+03:30>-03:30}), refused at a week or more; a zone name
     * the JDK's time zone database knows takes that database's spelling, as PostgreSQL's lookup in its own takes the
     * file's ({@code utc} is {@code UTC}, {@code europe/berlin} is {@code Europe/Berlin}); any other name is kept as
     * given, since the console, which writes no times, cannot tell which names the server's database holds, but one
     * PostgreSQL could not load for its length alone (longer than {@value #TZ_STRLEN_MAX} bytes) is refused.
     *
     * @throws AdminException 22023 for an offset of a week or more, an empty or a longer name
     */
    static String timeZone(String value) {
        if (value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > TZ_STRLEN_MAX) {
            throw invalid("TimeZone", value, null, null);
        }
        if (HOURS.matcher(value).matches()) {
            // SQL's sign (east of UTC is positive) turned into POSIX's, truncated to whole seconds as PostgreSQL does.
            long offsetSeconds = (long) (-Double.parseDouble(value.strip()) * 3600);
            if (Math.abs(offsetSeconds) >= MAX_OFFSET_SECONDS) {
                throw invalid("TimeZone", value, "UTC timezone offset is out of range.", null);
            }
            return offsetName(offsetSeconds);
        }
        String known = ZONES.get(value.toLowerCase(Locale.ROOT));
        return known != null ? known : value;
    }

    /** pg_tzset_offset's name of a fixed offset: {@code <+hh[:mm[:ss]]>-hh[:mm[:ss]]}, POSIX's sign after it. */
    private static String offsetName(long posixSeconds) {
        long abs = Math.abs(posixSeconds);
        StringBuilder hms = new StringBuilder(String.format(Locale.ROOT, "%02d", abs / 3600));
        if (abs % 3600 != 0) {
            hms.append(String.format(Locale.ROOT, ":%02d", abs % 3600 / 60));
            if (abs % 60 != 0) {
                hms.append(String.format(Locale.ROOT, ":%02d", abs % 60));
            }
        }
        return posixSeconds > 0 ? "<-" + hms + ">+" + hms : "<+" + hms + ">-" + hms;
    }

    /**
     * A Boolean setting (parse_bool): on, off, true, false, yes, no, 1, 0, in any case, a word cut short as long as it
     * is not ambiguous ({@code t}, {@code of}); returns {@code on} or {@code off}, as SHOW prints it.
     *
     * @param givenName the parameter's name as the client wrote it, which PostgreSQL's error repeats
     * @throws AdminException 22023 for any other value
     */
    static String bool(String givenName, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        boolean isOn = v.equals("1") || !v.isEmpty() && ("true".startsWith(v) || "yes".startsWith(v))
                || v.length() >= 2 && "on".startsWith(v);
        boolean isOff = v.equals("0") || !v.isEmpty() && ("false".startsWith(v) || "no".startsWith(v))
                || v.length() >= 2 && "off".startsWith(v);
        if (isOn == isOff) {
            throw new AdminException(SqlState.INVALID_PARAMETER_VALUE, "parameter \"" + givenName
                    + "\" requires a Boolean value");
        }
        return isOn ? "on" : "off";
    }

    /**
     * An enum setting: one of {@code values} or {@code hidden}'s keys, in any case; returns the value (a hidden
     * spelling's meaning) as SHOW prints it, in lower case.
     *
     * @param givenName the parameter's name as the client wrote it, which PostgreSQL's error repeats
     * @param values    the values PostgreSQL lists in its HINT, in its order
     * @param hidden    further spellings PostgreSQL accepts but does not list, to the value each stands for
     * @throws AdminException 22023 for any other value, the HINT listing {@code values}
     */
    static String enumValue(String givenName, String value, List<String> values, Map<String, String> hidden) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (values.contains(lower)) {
            return lower;
        }
        String meant = hidden.get(lower);
        if (meant == null) {
            throw invalid(givenName, value, null, "Available values: " + String.join(", ", values) + ".");
        }
        return meant;
    }

    /**
     * A list item as PostgreSQL reads it before looking it up (SplitIdentifierString): in lower case and cut as a
     * name is.
     */
    private static String keyWord(String word) {
        return clip(word.toLowerCase(Locale.ROOT));
    }

    /** {@code value} cut to NAMEDATALEN - 1 = 63 bytes of UTF-8, at a character's end (truncate_identifier). */
    private static String clip(String value) {
        int bytes = 0;
        int end = 0;
        while (end < value.length()) {
            int c = value.codePointAt(end);
            bytes += utf8Length(c);
            if (bytes > NAMEDATALEN - 1) {
                break;
            }
            end += Character.charCount(c);
        }
        return value.substring(0, end);
    }

    /** The bytes a character takes in UTF-8, the console's encoding. */
    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    static AdminException invalid(String parameter, String value, String detail, String hint) {
        return new AdminException(new PgError(PgError.ERROR, SqlState.INVALID_PARAMETER_VALUE,
                "invalid value for parameter \"" + parameter + "\": \"" + value + "\"", detail, hint));
    }
}
