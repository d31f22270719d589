package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * PostgreSQL 15's check hooks of the console's reported parameters (guc.c, variable.c): what a SET or the startup
 * packet gives becomes the value PostgreSQL would keep, SHOW and report in ParameterStatus, or is refused as
 * PostgreSQL refuses it (22023 invalid_parameter_value, {@code invalid value for parameter "Name": "value"}, its
 * DETAIL or HINT), with PostgreSQL's NOTICE where it gives one. Every value these return is bounded, so no
 * ParameterStatus grows past what libpq accepts of one (30,000 bytes, fe-protocol3.c): a longer one makes it drop
 * the connection as out of sync.
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
        String lower = value.toLowerCase(Locale.ROOT);
        if (!INTERVAL_STYLES.contains(lower)) {
            throw invalid(givenName, value, null,
                    "Available values: " + String.join(", ", INTERVAL_STYLES) + ".");
        }
        return lower;
    }

    /**
     * TimeZone (check_timezone): the console, which writes no times, keeps the name as given, but refuses one that
     * PostgreSQL could not load for its length alone (longer than {@value #TZ_STRLEN_MAX} bytes).
     *
     * @throws AdminException 22023 for a longer name
     */
    static String timeZone(String value) {
        if (value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > TZ_STRLEN_MAX) {
            throw invalid("TimeZone", value, null, null);
        }
        return value;
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

    private static AdminException invalid(String parameter, String value, String detail, String hint) {
        return new AdminException(new PgError(PgError.ERROR, SqlState.INVALID_PARAMETER_VALUE,
                "invalid value for parameter \"" + parameter + "\": \"" + value + "\"", detail, hint));
    }
}
