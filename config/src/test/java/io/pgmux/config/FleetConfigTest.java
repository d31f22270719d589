package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetConfigTest {
    private static final String DB = "databases: {app: {host: 127.0.0.1}}\n";

    private static PgmuxConfig parse(String yaml) {
        return ConfigLoader.parse(DB + yaml, "t.yaml", Map.of());
    }

    @Test
    void isOffByDefault() {
        FleetConfig fleet = parse("").fleet();
        assertFalse(fleet.enabled());
        assertEquals(FleetConfig.DEFAULT_MIN_LEASES, fleet.minLeases());
    }

    @Test
    void readsEverySetting() {
        FleetConfig fleet = parse("fleet: {enabled: true, name: api, instance_id: pod-7, min_leases: 2,"
                + " lease_idle_timeout: 5s, rebalance_interval: 50ms}\n").fleet();
        assertTrue(fleet.enabled());
        assertEquals("api", fleet.name());
        assertEquals(Optional.of("pod-7"), fleet.instanceId());
        assertEquals(2, fleet.minLeases());
        assertEquals(Duration.ofSeconds(5), fleet.leaseIdleTimeout());
        assertEquals(Duration.ofMillis(50), fleet.rebalanceInterval());
    }

    @Test
    void anEnabledFleetNeedsAName() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("fleet: {enabled: true}\n"));
        ConfigProblem problem = TestConfigs.onlyProblem(e);
        assertEquals("fleet.name", problem.path());
        assertTrue(problem.message().contains("a fleet needs a name"), problem.message());
    }

    @Test
    void aRebalanceIntervalBelowTenMillisecondsIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("fleet: {enabled: true, name: api, rebalance_interval: 1ms}\n"));
        assertEquals("fleet.rebalance_interval", TestConfigs.onlyProblem(e).path());
    }
}
