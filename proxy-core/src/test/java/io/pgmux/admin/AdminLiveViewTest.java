package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.live.LiveAdminView;
import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.admin.spi.DatabaseRow;
import io.pgmux.admin.spi.PoolRow;
import io.pgmux.admin.spi.StatsCounters;
import io.pgmux.admin.spi.TenantRow;
import io.pgmux.admin.spi.UserRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's view of today's proxy: configuration, pool snapshots and the budget plan. */
class AdminLiveViewTest {
    private final TestProxy proxy = new TestProxy();
    private final LiveAdminView view = proxy.view();

    @Test
    void poolsComeFromThePoolManagersSnapshotsSortedByDatabaseAndUser() {
        proxy.pools.pool("reports", "etl");
        proxy.pools.pool("app", "etl");
        proxy.pools.pool("app", "api");
        List<PoolRow> pools = view.pools();
        assertEquals(List.of("app/api", "app/etl", "reports/etl"),
                pools.stream().map(p -> p.database() + "/" + p.user()).toList());
        PoolRow api = pools.get(0);
        assertEquals("transaction", api.poolMode());
        assertEquals("web", api.tenant());
        assertEquals("closed", api.upstreamCircuit());
        assertEquals(0, api.clWaiting());
        assertNull(pools.get(1).tenant(), "etl has no tenant");
        assertEquals("session", pools.get(2).poolMode(), "the database's pool_mode");
    }

    @Test
    void databasesAsConfigured() {
        List<DatabaseRow> databases = view.databases();
        assertEquals(2, databases.size());
        DatabaseRow app = databases.get(0);
        assertEquals("app", app.name());
        assertEquals("10.0.0.2", app.host());
        assertEquals("app", app.database());
        assertNull(app.forceUser());
        assertNull(app.poolMode(), "inherited: NULL, as PgBouncer shows it");
        assertEquals(20, app.maxConnections());
        assertEquals(3600, app.serverLifetimeSeconds());
        DatabaseRow reports = databases.get(1);
        assertEquals("reporting", reports.database());
        assertEquals("reporter", reports.forceUser());
        assertEquals("session", reports.poolMode());
        assertEquals(5432, reports.port());
    }

    @Test
    void usersAsConfiguredWithTheirTenant() {
        List<UserRow> users = view.users();
        assertEquals(List.of("api", "etl", "root", "monitor"), users.stream().map(UserRow::name).toList());
        assertEquals("web", users.get(0).tenant());
        assertNull(users.get(0).poolSize(), "users have no pool size of their own");
    }

    @Test
    void configShowsValuesDefaultsAndThePgbouncerNamesTheExporterReads() {
        Map<String, ConfigRow> config = new LinkedHashMap<>();
        for (ConfigRow each : view.config()) {
            config.put(each.key(), each);
        }
        assertEquals(new ConfigRow("max_server_connections", "30", "0", true), config.get("max_server_connections"));
        assertEquals(new ConfigRow("query_timeout", "1500ms", "0", true), config.get("query_timeout"));
        assertEquals(new ConfigRow("query_wait_timeout", "120s", "120s", true), config.get("query_wait_timeout"));
        assertEquals(new ConfigRow("listen.port", "6432", "6432", false), config.get("listen.port"));
        assertEquals("root", config.get("admin.users").value());
        assertEquals("monitor", config.get("admin.stats_users").value());
        assertEquals("10000", config.get("max_client_conn").value());
        assertEquals("0", config.get("max_user_connections").value());
        assertFalse(config.values().stream().anyMatch(row -> row.value().contains("password")));
    }

    @Test
    void statsShowAZeroRowPerDatabaseWithPools() {
        assertTrue(view.stats().isEmpty());
        proxy.pools.pool("app", "api");
        assertEquals(1, view.stats().size());
        assertEquals("app", view.stats().get(0).database());
        assertEquals(StatsCounters.ZERO, view.stats().get(0).total());
    }

    @Test
    void listsCountTheConfigurationAndThePools() {
        proxy.pools.pool("app", "api");
        assertEquals(new io.pgmux.admin.spi.ListCounts(2, 4, 1, 3, 0, 0), view.lists());
    }

    @Test
    void tenantsHaveTheirBudgetOnEveryDatabase() {
        List<TenantRow> tenants = view.tenants();
        assertEquals(List.of(new TenantRow("web", "app", 8, 2, 0, 0, 0, 0, 3),
                new TenantRow("web", "reports", 8, 2, 0, 0, 0, 0, 3)), tenants);
    }

    @Test
    void budgetsFollowTheCapacityPlanAndTheUpstreamsSlots() {
        List<BudgetRow> budgets = view.budgets();
        List<String> app = budgets.stream().filter(b -> b.upstream().equals("10.0.0.2:5432"))
                .map(b -> b.budget() + "=" + b.most()).toList();
        assertEquals(List.of("tenant web on database app=10", "user etl on database app=5",
                "user root on database app=5", "user monitor on database app=5", "database app=20", "pgmux=20",
                "slots=22", "headroom=2"), app);
        assertTrue(budgets.stream().filter(b -> b.upstream().equals("10.0.0.3:5432"))
                .noneMatch(b -> b.budget().equals("slots")), "that upstream was not asked");
        BudgetRow tenant = budgets.get(0);
        assertEquals(0, tenant.inUse());
        assertEquals("pool_size 8 + reserve_pool_size 2", tenant.basis());
    }
}
