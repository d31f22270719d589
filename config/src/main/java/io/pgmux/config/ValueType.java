package io.pgmux.config;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to read one kind of scalar: the conversion, and the phrase that completes "expected ..." when the text does
 * not fit. Keeping both together is what makes every bad value produce the same shape of message.
 *
 * @param expected e.g. "an integer from 1 to 65535"
 * @param parser   converts the (already env-expanded) text; throws {@link IllegalArgumentException} when it
 *                 does not fit
 */
record ValueType<T>(String expected, Function<String, T> parser) {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");

    static ValueType<String> string() {
        return new ValueType<>("a string", text -> text);
    }

    static ValueType<String> nonEmptyString() {
        return new ValueType<>("a non-empty string", text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return text;
        });
    }

    static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>(describeRange(min, max), text -> {
            if (!INTEGER.matcher(text).matches()) {
                throw new IllegalArgumentException("not an integer");
            }
            long value = Long.parseLong(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException("out of range");
            }
            return (int) value;
        });
    }

    static ValueType<Integer> port() {
        return integer(1, 65535);
    }

    static ValueType<Boolean> bool() {
        return new ValueType<>("true or false", text -> {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true":
                case "yes":
                case "on":
                    return true;
                case "false":
                case "no":
                case "off":
                    return false;
                default:
                    throw new IllegalArgumentException("not a boolean");
            }
        });
    }

    static ValueType<Duration> duration() {
        return new ValueType<>("a duration like 500ms, 10s, 5m, 1h or 0 (a bare number means seconds)",
                Durations::parse);
    }

    /** A byte size between {@code min} and {@code max} bytes, which must fit an int. */
    static ValueType<Integer> size(int min, int max) {
        String expected = "a size from " + formatSize(min) + " to " + formatSize(max)
                + " like 512kB, 64MB or a byte count";
        return new ValueType<>(expected, text -> {
            long bytes = Sizes.parse(text);
            if (bytes < min || bytes > max) {
                throw new IllegalArgumentException("out of range");
            }
            return (int) bytes;
        });
    }

    static ValueType<PoolMode> poolMode() {
        return new ValueType<>("session or transaction", PoolMode::parse);
    }

    static ValueType<AuthType> authType() {
        return new ValueType<>("trust, password, md5 or scram-sha-256", AuthType::parse);
    }

    static ValueType<PinningPolicy> pinning() {
        return new ValueType<>("pin, error or ignore", PinningPolicy::parse);
    }

    private static String describeRange(int min, int max) {
        if (max == Integer.MAX_VALUE && min == 0) {
            return "a non-negative integer";
        }
        if (max == Integer.MAX_VALUE && min == 1) {
            return "a positive integer";
        }
        return "an integer from " + min + " to " + max;
    }

    private static String formatSize(int bytes) {
        String[] units = {"GB", "MB", "kB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= 1 << shifts[i] && bytes % (1 << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return bytes + " bytes";
    }
}
