package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The budgets the pools enforce and the budget table an operator reads come from one plan. */
class BudgetPlanTest {
    private static final String YAML = """
            auth_type: trust
            max_server_connections: 25
            default_pool_size: 3
            databases:
              app: {host: db1, port: 5432, max_connections: 12}
              reports: {host: db1, port: 5432}
            tenants:
              web: {pool_size: 8, reserve_pool_size: 4, max_server_connections: 10}
              scripts: {pool_size: 2}
            users:
              - {name: api, tenant: web}
              - {name: seed, tenant: scripts}
              - {name: script, tenant: scripts}
              - {name: loner}
            """;

    @Test
    void theBudgetsThePoolsEnforceAreTheLinesOfTheBudgetTable() {
        CapacityPlan table = CapacityPlan.of(PoolFixture.config(YAML));
        CapacityPlan.Upstream upstream = table.upstreams().get(0);
        try (PoolFixture fixture = new PoolFixture(1, YAML)) {
            for (CapacityPlan.Database db : upstream.databases()) {
                for (String user : List.of("api", "seed", "script", "loner")) {
                    ServerPool pool = fixture.pool(db.name(), user);
                    Budget own = pool.tenantBudget();
                    CapacityPlan.Line line = db.budgets().stream().filter(l -> l.budget().equals(own.owner()))
                            .findFirst().orElseThrow(() -> new AssertionError(own + " is not in the table"));
                    assertEquals(line.connections(), own.limit() + own.reserve(), line.budget());
                    assertEquals(db.cap(), pool.budgets().get(1).limit(), "max_connections of " + db.name());
                    assertEquals(upstream.globalCap(), pool.budgets().get(2).limit(), "max_server_connections");
                }
            }
            assertEquals(10, fixture.pool("app", "api").tenantBudget().limit()
                    + fixture.pool("app", "api").tenantBudget().reserve(), "pool 8 + reserve 4, capped at 10");
            assertSame(fixture.pool("app", "seed").tenantBudget(), fixture.pool("app", "script").tenantBudget(),
                    "the users of one tenant share its budget on a database");
            assertNotSame(fixture.pool("app", "seed").tenantBudget(),
                    fixture.pool("reports", "seed").tenantBudget(), "one budget per database");
            assertSame(fixture.pool("app", "api").budgets().get(2), fixture.pool("reports", "loner").budgets().get(2),
                    "one global budget");
        }
    }

    @Test
    void usersFoundByAuthQueryShareOneBudgetPerDatabaseUnlessADefaultTenantTakesThem() {
        String lookedUp = """
                auth_user: api
                default_pool_size: 3
                databases:
                  app: {host: db1, port: 5432}
                users:
                  - {name: api, password: pw}
                """;
        BudgetPlan plan = BudgetPlan.of(PoolFixture.config(lookedUp));
        List<BudgetPlan.Cap> caps = plan.capsOf("app", "someone").orElseThrow();
        assertEquals("users found by auth_query on database app", caps.get(0).owner());
        assertEquals(3, caps.get(0).limit());
        assertSame(caps.get(0), plan.capsOf("app", "someone_else").orElseThrow().get(0));
        assertEquals(java.util.Optional.empty(), BudgetPlan.of(PoolFixture.config(YAML)).capsOf("app", "someone"),
                "without auth_user an unknown user has no pool");

        BudgetPlan tenanted = BudgetPlan.of(PoolFixture.config(lookedUp.replace("users:",
                "default_tenant: guests\ntenants:\n  guests: {pool_size: 2}\n  own: {pool_size: 1}\nusers:")
                .replace("{name: api, password: pw}", "{name: api, password: pw, tenant: own}")));
        assertEquals("tenant guests on database app", tenanted.capsOf("app", "someone").orElseThrow().get(0).owner());
    }
}
