package io.pgmux.cli.env;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * libpq's {@code sslmode} (PostgreSQL docs, "Protection Provided in Different Modes"), as it may appear in a
 * connection URI. Each becomes the database's {@code server_tls_sslmode} of the same name, which pgmux applies with
 * libpq's semantics.
 */
public enum SslMode {
    DISABLE("disable"),
    ALLOW("allow"),
    PREFER("prefer"),
    REQUIRE("require"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    private final String libpqName;

    SslMode(String libpqName) {
        this.libpqName = libpqName;
    }

    /** The value as libpq spells it, e.g. {@code verify-full}. */
    public String libpqName() {
        return libpqName;
    }

    /** The mode libpq calls {@code text}; exact, as libpq matches it. */
    public static Optional<SslMode> of(String text) {
        return Arrays.stream(values()).filter(m -> m.libpqName.equals(text)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(m -> m.libpqName).collect(Collectors.joining(", "));
    }
}
