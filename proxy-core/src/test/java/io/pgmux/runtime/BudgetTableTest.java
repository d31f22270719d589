package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.pool.CapacityPlan;
import io.pgmux.server.UpstreamSlots;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetTableTest {
    private static final String YAML = """
            databases:
              app: {host: db1, port: 5432}
            tenants:
              web: {pool_size: 21}
            users:
              - {name: api, tenant: web}
            """;

    private static String table(String yaml, int slots) {
        CapacityPlan.Upstream upstream = CapacityPlan.of(ConfigLoader.parse(yaml, "t.yaml", Map.of()))
                .upstreams().get(0);
        return BudgetTable.render(upstream, new UpstreamSlots(slots + 3, 3, 0, 0));
    }

    @Test
    void aFleetsTableSaysTheBudgetsAreFleetWideAndCountsTheControlConnection() {
        String table = table(YAML + "fleet: {enabled: true, name: api}\n", 22);
        assertTrue(table.contains("hold for every instance of the fleet together"), table);
        assertTrue(table.contains("fleet control connection"), table);
        assertTrue(table.contains("OK: pgmux can never exhaust"), table);
        String tight = table(YAML + "fleet: {enabled: true, name: api}\n", 21);
        assertTrue(tight.contains("OVER-COMMITTED by 1"), "21 budgeted + 1 control > 21 slots:\n" + tight);
    }

    /** The operator's case: 14 budgeted under max_connections 15, which therefore caps nothing. */
    @Test
    void aCapAboveTheBudgetsIsNotSaidToCap() {
        String table = table("""
                databases:
                  app: {host: db1, port: 5432, max_connections: 15}
                tenants:
                  web: {pool_size: 14}
                users:
                  - {name: api, tenant: web}
                """, 20);
        assertTrue(table.contains("its budgets' sum 14 (max_connections 15)"), table);
        assertFalse(table.contains("capped by"), table);
        String capping = table(YAML.replace("port: 5432", "port: 5432, max_connections: 15"), 20);
        assertTrue(capping.contains("its budgets' sum 21, capped by max_connections 15"), capping);
    }

    @Test
    void withoutAFleetThereIsNoControlConnection() {
        String table = table(YAML, 21);
        assertTrue(!table.contains("fleet"), table);
        assertTrue(table.contains("OK: pgmux can never exhaust"), table);
    }
}
