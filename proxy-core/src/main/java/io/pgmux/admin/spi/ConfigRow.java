package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One setting: a row of SHOW CONFIG.
 *
 * @param changeable whether {@code SET} on the console or a RELOAD can change it while pgmux runs
 */
public record ConfigRow(String key, String value, String defaultValue, boolean changeable) {
    public ConfigRow {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(defaultValue, "defaultValue");
    }
}
