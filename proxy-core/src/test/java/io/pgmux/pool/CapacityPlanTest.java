package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityPlanTest {
    private static CapacityPlan plan(String yaml) {
        PgmuxConfig config = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        return CapacityPlan.of(config);
    }

    @Test
    void aTenantCountsPoolAndReserveUpToItsHardCapOnEveryDatabase() {
        CapacityPlan plan = plan("""
                databases:
                  app: {host: db1, port: 5432}
                tenants:
                  web: {pool_size: 8, reserve_pool_size: 4, max_server_connections: 10}
                  scripts: {pool_size: 2, reserve_pool_size: 1}
                users:
                  - {name: api, tenant: web}
                  - {name: seed, tenant: scripts}
                """);
        CapacityPlan.Database app = plan.upstreams().get(0).databases().get(0);
        assertEquals(List.of(10, 3), app.budgets().stream().map(CapacityPlan.Line::connections).toList());
        assertEquals(13, app.most());
    }

    @Test
    void usersWithoutATenantEachGetDefaultPoolSizeAndUnusedTenantsCountNothing() {
        CapacityPlan plan = plan("""
                default_pool_size: 3
                databases:
                  app: {}
                tenants:
                  idle: {pool_size: 50}
                users:
                  - {name: a}
                  - {name: b}
                """);
        CapacityPlan.Database app = plan.upstreams().get(0).databases().get(0);
        assertEquals(List.of("user a on database app", "user b on database app"),
                app.budgets().stream().map(CapacityPlan.Line::budget).toList());
        assertEquals(6, app.most());
    }

    @Test
    void databasesOnOneServerAddUpUnderTheirOwnCapsAndTheGlobalCap() {
        CapacityPlan plan = plan("""
                max_server_connections: 25
                databases:
                  app: {host: db1, port: 5432, max_connections: 12}
                  reports: {host: db1, port: 5432}
                  other: {host: db2, port: 5432}
                tenants:
                  web: {pool_size: 20}
                users:
                  - {name: api, tenant: web}
                """);
        assertEquals(2, plan.upstreams().size());
        CapacityPlan.Upstream db1 = plan.upstreams().get(0);
        assertEquals("db1:5432", db1.address());
        assertEquals(List.of(12, 20), db1.databases().stream().map(CapacityPlan.Database::most).toList());
        assertEquals(32, db1.sum());
        assertEquals(25, db1.most());
        assertEquals(20, plan.upstreams().get(1).most());
    }

    @Test
    void aFleetCountsEachInstancesControlConnectionBesideTheBudgets() {
        String yaml = """
                databases:
                  app: {host: db1, port: 5432}
                tenants:
                  web: {pool_size: 8}
                users:
                  - {name: api, tenant: web}
                """;
        CapacityPlan.Upstream alone = plan(yaml).upstreams().get(0);
        assertEquals(0, alone.control());
        assertEquals(8, alone.total());
        CapacityPlan.Upstream fleet = plan(yaml + "fleet: {enabled: true, name: api}\n").upstreams().get(0);
        assertEquals(8, fleet.most(), "the budgets hold for the whole fleet");
        assertEquals(1, fleet.control());
        assertEquals(9, fleet.total());
    }
}
