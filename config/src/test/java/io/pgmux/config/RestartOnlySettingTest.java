package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RestartOnlySettingTest {
    /** Top-level keys of the running file and their values; each change below replaces one of them. */
    private static final Map<String, String> RUNNING = Map.of(
            "databases", "{app: {}}",
            "listen", "{host: 127.0.0.1, port: 6432}",
            "peer_id", "1",
            "peers", "{1: {host: 127.0.0.1, port: 6441}, 2: {host: 127.0.0.1, port: 6442}}",
            "metrics", "{port: 9930}",
            "fleet", "{enabled: true, name: app}");

    /** For each setting, a file that changes it and nothing else of the table: a new entry needs one here. */
    private static final Map<RestartOnlySetting, Map.Entry<String, String>> CHANGE_ONLY = Map.ofEntries(
            Map.entry(RestartOnlySetting.LISTEN_HOST, Map.entry("listen", "{host: 0.0.0.0, port: 6432}")),
            Map.entry(RestartOnlySetting.LISTEN_PORT, Map.entry("listen", "{host: 127.0.0.1, port: 6433}")),
            Map.entry(RestartOnlySetting.LISTEN_SO_REUSEPORT,
                    Map.entry("listen", "{host: 127.0.0.1, port: 6432, so_reuseport: true}")),
            Map.entry(RestartOnlySetting.PEER_ID, Map.entry("peer_id", "2")),
            Map.entry(RestartOnlySetting.MAX_MESSAGE_SIZE, Map.entry("max_message_size", "1MB")),
            Map.entry(RestartOnlySetting.WORKERS, Map.entry("workers", "3")),
            Map.entry(RestartOnlySetting.TRANSPORT, Map.entry("transport", "nio")),
            Map.entry(RestartOnlySetting.SERVER_CONNECT_TIMEOUT, Map.entry("server_connect_timeout", "7s")),
            Map.entry(RestartOnlySetting.METRICS_ENABLED, Map.entry("metrics", "{enabled: false}")),
            Map.entry(RestartOnlySetting.METRICS_HOST, Map.entry("metrics", "{host: 0.0.0.0}")),
            Map.entry(RestartOnlySetting.METRICS_PORT, Map.entry("metrics", "{port: 9931}")),
            Map.entry(RestartOnlySetting.METRICS_PGBOUNCER_COMPAT, Map.entry("metrics", "{pgbouncer_compat: true}")),
            Map.entry(RestartOnlySetting.FLEET_ENABLED, Map.entry("fleet", "{enabled: false, name: app}")),
            Map.entry(RestartOnlySetting.FLEET_NAME, Map.entry("fleet", "{enabled: true, name: other}")),
            Map.entry(RestartOnlySetting.FLEET_INSTANCE_ID,
                    Map.entry("fleet", "{enabled: true, name: app, instance_id: a1}")),
            Map.entry(RestartOnlySetting.FLEET_MIN_LEASES,
                    Map.entry("fleet", "{enabled: true, name: app, min_leases: 2}")),
            Map.entry(RestartOnlySetting.FLEET_LEASE_IDLE_TIMEOUT,
                    Map.entry("fleet", "{enabled: true, name: app, lease_idle_timeout: 45s}")),
            Map.entry(RestartOnlySetting.FLEET_REBALANCE_INTERVAL,
                    Map.entry("fleet", "{enabled: true, name: app, rebalance_interval: 250ms}")),
            Map.entry(RestartOnlySetting.FLEET_LEASE_RECLAIM_TIMEOUT,
                    Map.entry("fleet", "{enabled: true, name: app, lease_reclaim_timeout: 5s}")));

    private final PgmuxConfig running = file(Map.of());

    @Test
    void everySettingHasAChangeBelow() {
        assertEquals(EnumSet.allOf(RestartOnlySetting.class), EnumSet.copyOf(CHANGE_ONLY.keySet()));
    }

    @Test
    void aFileThatChangesOnlyOneSettingIsReportedAndKeepsItsRunningValue() {
        for (RestartOnlySetting setting : RestartOnlySetting.values()) {
            Map.Entry<String, String> change = CHANGE_ONLY.get(setting);
            PgmuxConfig next = file(Map.of(change.getKey(), change.getValue()));
            assertNotEquals(setting.valueIn(running), setting.valueIn(next), setting.key());
            assertEquals(List.of(setting.key()), RestartOnlySetting.changes(running, next), setting.key());

            PgmuxConfig inForce = next.withRestartOnlyFrom(running);
            assertEquals(setting.valueIn(running), setting.valueIn(inForce), setting.key());
            assertEquals(List.of(), RestartOnlySetting.changes(running, inForce), setting.key());
        }
    }

    @Test
    void aReloadSaysWhichSettingsKeepTheirRunningValues() {
        assertEquals("listen.port, which keeps its running value until pgmux restarts",
                RestartOnlySetting.keptUntilRestart(List.of("listen.port")));
        assertEquals("workers, transport, which keep their running values until pgmux restarts",
                RestartOnlySetting.keptUntilRestart(List.of("workers", "transport")));
    }

    @Test
    void everyOtherSettingFollowsTheFile() {
        PgmuxConfig next = file(Map.of("pool_mode", "session", "query_timeout", "9s", "default_pool_size", "7",
                "max_client_connections", "50",
                "peers", "{1: {host: 127.0.0.1, port: 6441}, 2: {host: 127.0.0.2, port: 6442}}"));
        assertEquals(List.of(), RestartOnlySetting.changes(running, next));
        assertEquals(next, next.withRestartOnlyFrom(running));
    }

    @Test
    void theOwnPeerEntryIsPartOfPeerIdAndTheOthersFollowTheFile() {
        PgmuxConfig next = file(Map.of("peers", "{1: {host: 127.0.0.1, port: 6451}, 2: {host: 127.0.0.1, port: 6452},"
                + " 3: {host: 127.0.0.1, port: 6453}}"));
        assertEquals(List.of("peer_id"), RestartOnlySetting.changes(running, next));

        PeersConfig inForce = next.withRestartOnlyFrom(running).peers();
        assertEquals(running.peers().own(), inForce.own());
        assertEquals(next.peers().peer(2), inForce.peer(2));
        assertEquals(next.peers().peer(3), inForce.peer(3));
    }

    @Test
    void aPeerIdGivenOnlyInTheFileIsNotTakenOnAtAReload() {
        PgmuxConfig alone = file(Map.of("peer_id", "0", "peers", "{}"));
        PgmuxConfig grouped = file(Map.of("peer_id", "2"));
        assertEquals(List.of("peer_id"), RestartOnlySetting.changes(alone, grouped));

        PeersConfig inForce = grouped.withRestartOnlyFrom(alone).peers();
        assertFalse(inForce.enabled());
        assertEquals(grouped.peers().peer(1), inForce.peer(1));
    }

    @Test
    void changesAreListedInTableOrder() {
        PgmuxConfig next = file(Map.of("fleet", "{enabled: false, name: app}", "workers", "2", "listen",
                "{host: 127.0.0.1, port: 6433}"));
        assertEquals(List.of("listen.port", "workers", "fleet.enabled"), RestartOnlySetting.changes(running, next));
    }

    @Test
    void setRefusesEveryRestartOnlySettingAsNeedingARestart() {
        for (RestartOnlySetting setting : RestartOnlySetting.values()) {
            assertTrue(LiveSettings.needsRestart(setting.key()), setting.key());
            assertTrue(LiveSettings.needsRestart(setting.key().toUpperCase(java.util.Locale.ROOT)), setting.key());
            assertFalse(LiveSettings.isSettable(setting.key()), setting.key());
        }
        assertFalse(LiveSettings.needsRestart("query_timeout"));
        // A whole section the file writes as one block: SET listen = ... needs a restart as SET listen.port does.
        for (String section : List.of("listen", "METRICS", "fleet")) {
            assertTrue(LiveSettings.needsRestart(section), section);
        }
        assertFalse(LiveSettings.needsRestart("tenants"));
        assertFalse(LiveSettings.needsRestart("peers"));
    }

    private static PgmuxConfig file(Map<String, String> changed) {
        Map<String, String> top = new LinkedHashMap<>(RUNNING);
        top.putAll(changed);
        return TestConfigs.parse(top.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
    }
}
