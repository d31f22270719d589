package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/** When a server connection goes back to the pool: when the client disconnects, or after each transaction. */
public enum PoolMode {
    SESSION,
    TRANSACTION;

    /** Parses the YAML spelling ({@code session} or {@code transaction}), ignoring case. */
    public static PoolMode parse(String text) {
        Objects.requireNonNull(text, "text");
        for (PoolMode mode : values()) {
            if (mode.configName().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown pool mode \"" + text + "\"; expected session or transaction");
    }

    /** The spelling used in the YAML file and in the admin console. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
