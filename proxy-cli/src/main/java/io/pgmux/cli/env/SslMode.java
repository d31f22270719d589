package io.pgmux.cli.env;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * libpq's {@code sslmode} (PostgreSQL docs, "Protection Provided in Different Modes"), as it may appear in a
 * connection URI. pgmux does not yet speak TLS to the database, so only the modes that allow a plain connection
 * can be honoured; the others must be refused rather than silently weakened.
 */
public enum SslMode {
    DISABLE("disable", true),
    ALLOW("allow", true),
    PREFER("prefer", true),
    REQUIRE("require", false),
    VERIFY_CA("verify-ca", false),
    VERIFY_FULL("verify-full", false);

    private final String libpqName;
    private final boolean allowsPlaintext;

    SslMode(String libpqName, boolean allowsPlaintext) {
        this.libpqName = libpqName;
        this.allowsPlaintext = allowsPlaintext;
    }

    /** The value as libpq spells it, e.g. {@code verify-full}. */
    public String libpqName() {
        return libpqName;
    }

    /** Whether a connection without TLS satisfies this mode. */
    public boolean allowsPlaintext() {
        return allowsPlaintext;
    }

    /** The mode libpq calls {@code text}; exact, as libpq matches it. */
    public static Optional<SslMode> of(String text) {
        return Arrays.stream(values()).filter(m -> m.libpqName.equals(text)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(m -> m.libpqName).collect(Collectors.joining(", "));
    }
}
