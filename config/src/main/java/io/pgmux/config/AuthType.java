package io.pgmux.config;

import java.util.Locale;
import java.util.Objects;

/** How pgmux authenticates clients; the YAML spellings follow pg_hba.conf: trust, password, md5, scram-sha-256. */
public enum AuthType {
    TRUST,
    PASSWORD,
    MD5,
    SCRAM_SHA_256;

    /** Parses the YAML spelling, ignoring case. */
    public static AuthType parse(String text) {
        Objects.requireNonNull(text, "text");
        for (AuthType type : values()) {
            if (type.configName().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException(
                "unknown auth type \"" + text + "\"; expected trust, password, md5 or scram-sha-256");
    }

    /** The spelling used in the YAML file, e.g. {@code scram-sha-256}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
