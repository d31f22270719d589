package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.config.ConfigLoader;
import io.pgmux.pool.CapacityPlan;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class BudgetBasisTest {
    /**
     * Tenant web's 8 + 6 = 14 connections on database app, whose settings end with {@code databaseCap}, under the
     * top-level lines {@code global}.
     */
    private static CapacityPlan.Upstream upstream(String databaseCap, String global) {
        return CapacityPlan.of(ConfigLoader.parse(global + "databases: {app: {host: db1" + databaseCap + "}}\n"
                + "tenants: {web: {pool_size: 8, reserve_pool_size: 6}}\nusers: [{name: api, tenant: web}]\n",
                "t.yaml", Map.of())).upstreams().get(0);
    }

    private static String database(String databaseCap) {
        return BudgetBasis.of(upstream(databaseCap, "").databases().get(0));
    }

    private static String pgmux(String global) {
        return BudgetBasis.of(upstream("", global));
    }

    @Test
    void aDatabaseCapAtOrAboveTheSumIsNamedButCapsNothing() {
        assertEquals("its budgets' sum 14 (max_connections 15)", database(", max_connections: 15"));
        assertEquals("its budgets' sum 14 (max_connections 14)", database(", max_connections: 14"));
    }

    @Test
    void aDatabaseCapBelowTheSumIsWhatLimits() {
        assertEquals("its budgets' sum 14, capped by max_connections 13", database(", max_connections: 13"));
    }

    @Test
    void aDatabaseWithoutACapSaysSo() {
        assertEquals("its budgets' sum 14 (no max_connections cap)", database(""));
    }

    @Test
    void pgmuxsLineAtAnUpstreamIsWordedTheSameWay() {
        assertEquals("the databases' sum 14 (no max_server_connections cap)", pgmux(""));
        assertEquals("the databases' sum 14 (max_server_connections 20)", pgmux("max_server_connections: 20\n"));
        assertEquals("the databases' sum 14, capped by max_server_connections 10",
                pgmux("max_server_connections: 10\n"));
    }
}
