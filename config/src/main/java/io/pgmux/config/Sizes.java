package io.pgmux.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses byte sizes written as {@code 512kB}, {@code 64MB}, {@code 1GB} (powers of 1024, as in postgresql.conf)
 * or a bare byte count. Unit case is ignored: in a message-size setting nobody means megabits.
 */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(B|kB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** @throws IllegalArgumentException when the text is not a size in one of those forms */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: \"" + text + "\"");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift;
        switch (unit) {
            case "kb":
                shift = 10;
                break;
            case "mb":
                shift = 20;
                break;
            case "gb":
                shift = 30;
                break;
            default:
                shift = 0;
        }
        try {
            return Math.multiplyExact(amount, 1L << shift);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"", e);
        }
    }
}
