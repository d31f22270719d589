package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL 15's integer settings as the console checks them (guc.c parse_int, convert_to_base_unit and
 * _ShowOption): the value a SET or the startup packet gives becomes the one SHOW prints, or PostgreSQL's refusal
 * (22023, its message and HINT).
 */
final class IntegerSetting {
    /** PostgreSQL's time units for a setting in milliseconds (guc.c timeUnitConversionTable), largest first. */
    private static final List<String> TIME_UNITS = List.of("d", "h", "min", "s", "ms", "us");
    private static final List<Double> TIME_MULTIPLIERS = List.of(86_400_000.0, 3_600_000.0, 60_000.0, 1_000.0, 1.0,
            0.001);
    /** What strtol reads with base 0: a sign, then decimal, octal or hexadecimal digits. */
    private static final Pattern C_INTEGER = Pattern.compile("([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)");
    /** What strtod reads of a decimal number. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private IntegerSetting() {
    }

    /**
     * An integer setting without a unit (parse_int, e.g. extra_float_digits): an integer in C's notation (white space
     * first, a sign, {@code 0x} for hexadecimal, a leading 0 for octal) or a decimal number rounded half to even, then
     * white space; returns it in decimal, as SHOW prints it.
     *
     * @param givenName the parameter's name as the client wrote it, which PostgreSQL's error repeats
     * @throws AdminException 22023 for anything else, a value beyond int4 (HINT "Value exceeds integer range."), or
     *                        one outside {@code min} to {@code max}
     */
    static String integer(String givenName, String value, int min, int max) {
        int n = parseInt(givenName, value, false);
        if (n < min || n > max) {
            throw new AdminException(SqlState.INVALID_PARAMETER_VALUE, n + " is outside the valid range for parameter"
                    + " \"" + givenName + "\" (" + min + " .. " + max + ")");
        }
        return Integer.toString(n);
    }

    /**
     * A time setting in milliseconds from 0 to int4's largest (parse_int with GUC_UNIT_MS: statement_timeout,
     * lock_timeout ...): a number as for {@link #integer}, then optionally white space and a unit (us, ms, s, min, h,
     * d, case sensitive), a fraction rounded to the next smaller unit and then to a millisecond; returns it as SHOW
     * prints it (_ShowOption): in the largest unit that divides it, {@code 0} without one, e.g. 5000 is {@code 5s}.
     *
     * @param givenName the parameter's name as the client wrote it, which PostgreSQL's error repeats
     * @throws AdminException 22023 for anything else (an unknown unit with the HINT listing the units), or a
     *                        negative value
     */
    static String milliseconds(String givenName, String value) {
        int ms = parseInt(givenName, value, true);
        if (ms < 0) {
            throw new AdminException(SqlState.INVALID_PARAMETER_VALUE, ms + " ms is outside the valid range for"
                    + " parameter \"" + givenName + "\" (0 .. " + Integer.MAX_VALUE + ")");
        }
        if (ms == 0) {
            return "0";
        }
        for (int i = 0; i < TIME_UNITS.size(); i++) {
            double multiplier = TIME_MULTIPLIERS.get(i);
            if (multiplier <= 1 || ms % (long) multiplier == 0) {
                return (long) (ms / multiplier) + TIME_UNITS.get(i);
            }
        }
        throw new IllegalStateException("no unit for " + ms + " ms");
    }

    /** parse_int: the value in the setting's base unit (milliseconds, with {@code timeUnits}). */
    private static int parseInt(String givenName, String value, boolean timeUnits) {
        int end = skipSpace(value, 0);
        double number;
        Matcher decimal = DECIMAL.matcher(value).region(end, value.length());
        Matcher c = C_INTEGER.matcher(value).region(end, value.length());
        if (c.lookingAt() && !(c.end() < value.length() && ".eE".indexOf(value.charAt(c.end())) >= 0)) {
            number = cInteger(c);
            end = c.end();
        } else if (decimal.lookingAt()) {
            number = Double.parseDouble(decimal.group());
            end = decimal.end();
        } else {
            throw CheckHooks.invalid(givenName, value, null, null);
        }
        end = skipSpace(value, end);
        if (end < value.length()) {
            if (!timeUnits) {
                throw CheckHooks.invalid(givenName, value, null, null);
            }
            number = inMilliseconds(number, value.substring(end)).orElseThrow(() -> CheckHooks.invalid(givenName, value, null,
                    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."));
        }
        number = Math.rint(number);
        if (number > Integer.MAX_VALUE || number < Integer.MIN_VALUE) {
            throw CheckHooks.invalid(givenName, value, null, "Value exceeds integer range.");
        }
        return (int) number;
    }

    /** strtol with base 0: hexadecimal after 0x, octal after a leading 0; as a double, so that nothing overflows. */
    private static double cInteger(Matcher c) {
        String digits = c.group(2);
        int radix = 10;
        if (digits.length() > 2 && (digits.startsWith("0x") || digits.startsWith("0X"))) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
        }
        double n = new java.math.BigInteger(digits, radix).doubleValue();
        return "-".equals(c.group(1)) ? -n : n;
    }

    /** convert_to_base_unit for milliseconds: the unit, then only white space; empty for an unknown unit. */
    private static Optional<Double> inMilliseconds(double number, String rest) {
        String unit = rest.strip();
        int at = TIME_UNITS.indexOf(unit);
        if (at < 0 || unit.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        double ms = number * TIME_MULTIPLIERS.get(at);
        if (at + 1 < TIME_UNITS.size()) { // a fraction is rounded to the next smaller unit
            double smaller = TIME_MULTIPLIERS.get(at + 1);
            ms = Math.rint(ms / smaller) * smaller;
        }
        return Optional.of(ms);
    }

    /** After C's isspace. */
    private static int skipSpace(String value, int from) {
        int i = from;
        while (i < value.length() && " \t\n\u000b\f\r".indexOf(value.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }
}
