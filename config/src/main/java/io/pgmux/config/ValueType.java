package io.pgmux.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How to read one kind of scalar: the conversion, and the phrase that completes "expected ..." when the text does
 * not fit. Keeping both together is what makes every bad value produce the same shape of message.
 *
 * @param expected e.g. "an integer from 1 to 65535"
 * @param parser   converts the (already env-expanded) text; throws {@link IllegalArgumentException} when it
 *                 does not fit
 * @param explained a problem is the parser's own message, which says why the value does not fit, instead of
 *                 "expected ..., got ..."; for values whose reason matters (an unsupported rule type) and for
 *                 secrets, which must never be quoted back
 */
record ValueType<T>(String expected, Function<String, T> parser, boolean explained) {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
    private static final Pattern CIPHER_SUITE = Pattern.compile("TLS_[A-Z0-9_]+");

    ValueType(String expected, Function<String, T> parser) {
        this(expected, parser, false);
    }

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
        // The words PgBouncer's configuration takes (its files write 1 and 0), which PostgreSQL takes too.
        return new ValueType<>("true or false (or on/off, yes/no, 1/0)", text -> {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true":
                case "yes":
                case "on":
                case "1":
                    return true;
                case "false":
                case "no":
                case "off":
                case "0":
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
        return new ValueType<>(AuthType.EXPECTED, AuthType::parse);
    }

    /**
     * A client-facing password in any {@link StoredPassword} form; the text is kept as written (after expansion)
     * and {@link StoredPassword#parse} reads it again where it is used.
     */
    static ValueType<String> password() {
        return new ValueType<>("a password, an md5 hash or a SCRAM-SHA-256 verifier", text -> {
            StoredPassword.parse(text);
            return text;
        }, true);
    }

    /**
     * A password pgmux logs in to a server with: plaintext, or an md5 hash (which only a server using md5
     * accepts). A SCRAM verifier cannot log in by itself.
     */
    static ValueType<String> serverPassword() {
        return new ValueType<>("a password or an md5 hash", text -> {
            if (isWellFormedVerifier(text)) {
                throw new IllegalArgumentException("a SCRAM verifier cannot log in to a server (it proves nothing"
                        + " without a client's proof); give the password itself");
            }
            return text;
        }, true);
    }

    /**
     * A password sent to a server is never read as a verifier, so one that merely starts like a verifier is a
     * password; only a complete verifier, which cannot log in, is refused.
     */
    private static boolean isWellFormedVerifier(String text) {
        if (!text.startsWith("SCRAM-SHA-256$")) {
            return false;
        }
        try {
            return StoredPassword.parse(text).kind() == StoredPassword.Kind.SCRAM_SHA_256;
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    static ValueType<HbaConnectionType> hbaType() {
        return new ValueType<>(HbaSyntax.TYPES, HbaSyntax::type, true);
    }

    static ValueType<AuthType> hbaMethod() {
        return new ValueType<>(HbaSyntax.METHODS, HbaSyntax::method, true);
    }

    /** {@code all}, a network in CIDR form, or one address (that host alone). */
    static ValueType<HbaAddress> hbaAddress() {
        return new ValueType<>("all, or an address like 10.0.0.0/8 or ::1", text -> text.equalsIgnoreCase("all")
                ? HbaAddress.all() : HbaAddress.parseCidr(text, true), true);
    }

    /** A query taking the user name as {@code $1}. */
    static ValueType<String> authQuery() {
        return new ValueType<>("a query that uses $1 for the user name", text -> {
            if (!text.contains("$1")) {
                throw new IllegalArgumentException("no $1");
            }
            return text;
        });
    }

    static ValueType<SslMode> sslMode() {
        return new ValueType<>(SslMode.EXPECTED, SslMode::parse);
    }

    static ValueType<Set<TlsProtocol>> tlsProtocols() {
        return new ValueType<>(TlsProtocol.EXPECTED, TlsProtocol::parseList);
    }

    /**
     * Cipher suites by IANA name, separated by ':', ',' or blanks; {@code default} (or {@code secure}) keeps the
     * TLS provider's defaults, which exclude the weak suites. OpenSSL's own names and expressions
     * ({@code HIGH:!aNULL}) are refused: the JDK provider does not understand them.
     */
    static ValueType<List<String>> cipherSuites() {
        return new ValueType<>("default, or cipher suite names like TLS_AES_128_GCM_SHA256 separated by ':'",
                text -> {
                    String trimmed = text.trim().toLowerCase(Locale.ROOT);
                    if (trimmed.equals("default") || trimmed.equals("secure")) {
                        return List.of();
                    }
                    List<String> suites = List.of(text.trim().split("[:,\\s]+"));
                    for (String suite : suites) {
                        if (!CIPHER_SUITE.matcher(suite).matches()) {
                            throw new IllegalArgumentException("not a cipher suite name");
                        }
                    }
                    return suites;
                });
    }

    static ValueType<IoTransport> transport() {
        return new ValueType<>(IoTransport.EXPECTED, IoTransport::parse);
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
