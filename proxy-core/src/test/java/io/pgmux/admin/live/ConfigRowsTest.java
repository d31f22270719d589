package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.RestartOnlySetting;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ConfigRowsTest {
    @Test
    void logSettingsAreShownWithTheirDefaultsAndChangeLive() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse(
                "databases: {app: {}}\nlog_stats: false\nutilization_warn_percent: 95\n", "test.yaml", Map.of()));
        assertEquals(new ConfigRow("log_stats", "off", "on", true), row(rows, "log_stats"));
        assertEquals(new ConfigRow("utilization_warn_percent", "95", "80", true),
                row(rows, "utilization_warn_percent"));
    }

    @Test
    void soReuseportAndPeerIdAreShownAndNeedARestart() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("listen: {port: 6432, so_reuseport: true}\n"
                + "peer_id: 7\npeers: {7: {host: 127.0.0.1, port: 6447}}\ndatabases: {app: {}}\n", "test.yaml",
                Map.of()));
        assertEquals(new ConfigRow("listen.so_reuseport", "on", "off", false), row(rows, "listen.so_reuseport"));
        assertEquals(new ConfigRow("peer_id", "7", "0", false), row(rows, "peer_id"));
    }

    /** SET answers for these keys that they need a restart, so SHOW CONFIG must list them under the same keys. */
    @Test
    void everyRestartOnlySettingIsShownAsNotChangeable() {
        List<ConfigRow> rows = ConfigRows.of(ConfigLoader.parse("transport: nio\nmetrics: {pgbouncer_compat: true}\n"
                + "databases: {app: {}}\n", "test.yaml", Map.of()));
        for (RestartOnlySetting setting : RestartOnlySetting.values()) {
            assertFalse(row(rows, setting.key()).changeable(), setting.key());
        }
        assertEquals(new ConfigRow("transport", "nio", "auto", false), row(rows, "transport"));
        assertEquals(new ConfigRow("metrics.pgbouncer_compat", "on", "off", false),
                row(rows, "metrics.pgbouncer_compat"));
    }

    private static ConfigRow row(List<ConfigRow> rows, String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(key));
    }
}
