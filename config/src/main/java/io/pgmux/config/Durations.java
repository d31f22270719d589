package io.pgmux.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or a bare number of seconds,
 * the PgBouncer habit, so settings copied from a pgbouncer.ini keep their meaning. {@code 0} means disabled.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

    private Durations() {
    }

    /** @throws IllegalArgumentException when the text is not a non-negative duration in one of those forms */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\"");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            switch (unit) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too large: \"" + text + "\"", e);
        }
    }
}
