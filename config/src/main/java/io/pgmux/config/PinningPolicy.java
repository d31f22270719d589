package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/**
 * What transaction pooling does when a client uses session state that cannot survive a server switch
 * (a temporary table, a session-level SET, an advisory lock): pin the client to its server connection for the rest
 * of the session, fail the statement with an error, or ignore it and let the client take its chances.
 */
public enum PinningPolicy {
    PIN,
    ERROR,
    IGNORE;

    /** Parses the YAML spelling ({@code pin}, {@code error} or {@code ignore}), ignoring case. */
    public static PinningPolicy parse(String text) {
        Objects.requireNonNull(text, "text");
        for (PinningPolicy policy : values()) {
            if (policy.configName().equalsIgnoreCase(text)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown pinning policy \"" + text + "\"; expected pin, error or ignore");
    }

    /** The spelling used in the YAML file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
