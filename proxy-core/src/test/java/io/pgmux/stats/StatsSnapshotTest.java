package io.pgmux.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsSnapshotTest {
    private final StatsRegistry registry = new StatsRegistry();

    @Test
    void oneEntryPerDatabaseAndUserWithTheFirstTenant() {
        PoolStats first = registry.pool("app", "api", "web");
        assertSame(first, registry.pool("app", "api", "other"));
        assertEquals("web", registry.pool("app", "api", null).tenant().orElseThrow());
    }

    @Test
    void sumsPerDatabaseAndPerTenant() {
        registry.pool("app", "api", "web").recordQuery(10);
        registry.pool("app", "worker", "jobs").recordQuery(20);
        registry.pool("app", "cron", null).recordQuery(30);
        registry.pool("billing", "api", "web").recordQuery(40);
        registry.unknownUserLogin("app");
        registry.unknownUserLogin("app");

        StatsSnapshot snapshot = registry.snapshot();
        assertEquals(List.of("app/api", "app/cron", "app/worker", "billing/api"),
                snapshot.pools().stream().map(p -> p.database() + "/" + p.user()).toList());
        Map<String, PoolTotals> databases = snapshot.byDatabase();
        assertEquals(List.of("app", "billing"), List.copyOf(databases.keySet()));
        assertEquals(3, databases.get("app").get(PoolCounter.QUERY_COUNT));
        assertEquals(60, databases.get("app").get(PoolCounter.QUERY_TIME_US));
        Map<String, PoolTotals> tenants = snapshot.byTenant();
        assertEquals(List.of("jobs", "web"), List.copyOf(tenants.keySet()));
        assertEquals(50, tenants.get("web").get(PoolCounter.QUERY_TIME_US));
        assertEquals(2, tenants.get("web").histogram(Latency.QUERY).count());
        assertEquals(Map.of("app", 2L), snapshot.unknownUserLogins());
    }

    /** A refused login is counted beside the pools: it makes no pool's statistics, so no row and no series. */
    @Test
    void refusedLoginsMakeNoPool() {
        registry.authFailed("pgmux", "admin", null);
        registry.authFailed("pgmux", "admin", null);
        registry.authFailed("app", "api", "web");
        registry.unknownUserLogin("pgmux");

        StatsSnapshot snapshot = registry.snapshot();
        assertEquals(List.of(), snapshot.pools());
        assertEquals(List.of(new StatsSnapshot.AuthFailures("app", "api", "web", 1),
                new StatsSnapshot.AuthFailures("pgmux", "admin", null, 2)), snapshot.authFailures());
        assertEquals(Map.of("pgmux", 1L), snapshot.unknownUserLogins());
    }
}
