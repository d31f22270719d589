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
import io.pgmux.admin.spi.StatsRow;
import io.pgmux.stats.PoolStats;
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
        // auth_query's default selects rolpassword: a query, not a password.
        assertFalse(config.values().stream().filter(row -> !row.key().equals("auth_query"))
                .anyMatch(row -> row.value().contains("password")));
    }

    @Test
    void statsAreEachDatabasesTotalsAndTheAveragesOfTheLastPeriod() {
        assertTrue(view.stats().isEmpty());
        assertEquals(StatsCounters.ZERO, view.totals().total(), "no statistics yet: zeros");
        assertEquals(StatsCounters.ZERO, view.totals().average());
        PoolStats api = proxy.pools.pool("app", "api").stats();
        PoolStats etl = proxy.pools.pool("app", "etl").stats();
        api.serverAssigned(300);
        api.recordTransaction(1_000);
        api.recordTransaction(3_000);
        etl.serverAssigned(100);
        etl.recordTransaction(2_000);
        api.recordQuery(400);
        api.addBytes(100, 2_000);
        api.countClientParse();
        api.countServerParse();
        api.countBind();
        proxy.period.roll(2_000_000_000L);

        List<StatsRow> stats = view.stats();
        assertEquals(1, stats.size());
        StatsRow app = stats.get(0);
        assertEquals("app", app.database());
        assertEquals(new StatsCounters(2, 3, 1, 100, 2_000, 6_000, 400, 400, 1, 1, 1), app.total());
        // Over the 2 s period: counts and bytes per second; times per transaction, query and assignment.
        assertEquals(new StatsCounters(1, 1, 0, 50, 1_000, 2_000, 400, 200, 0, 0, 0), app.average());

        StatsRow all = view.totals();
        assertEquals(app.total(), all.total());
        assertEquals(app.average(), all.average());
    }

    @Test
    void totalsWeighTheDatabasesAveragesByHowOftenTheyHappened() {
        PoolStats app = proxy.pools.pool("app", "api").stats();
        PoolStats reports = proxy.pools.pool("reports", "etl").stats();
        for (int i = 0; i < 3; i++) {
            app.recordTransaction(1_000);
        }
        reports.recordTransaction(5_000);
        proxy.period.roll(1_000_000_000L);
        StatsRow all = view.totals();
        assertEquals(4, all.total().xactCount());
        assertEquals(8_000, all.total().xactTime());
        assertEquals(4, all.average().xactCount());
        assertEquals(2_000, all.average().xactTime(), "8000 us over 4 transactions, not the mean of 1000 and 5000");
    }

    @Test
    void clientsCountFromTheirLogins() {
        PoolStats api = proxy.pools.pool("app", "api").stats();
        api.clientLoggedIn();
        api.clientLoggedIn();
        api.clientLoggedIn();
        api.clientLeft();
        assertEquals(2, view.pools().get(0).clActive());
        assertEquals(2, view.databases().get(0).currentClientConnections());
        assertEquals(2, view.users().get(0).currentClientConnections());
        assertEquals(0, view.users().get(1).currentClientConnections());
    }

    @Test
    void listsCountTheConfigurationAndThePools() {
        proxy.pools.pool("app", "api");
        assertEquals(new io.pgmux.admin.spi.ListCounts(2, 4, 0, 1, 3, 0, 0), view.lists());
    }

    @Test
    void tenantsHaveTheirBudgetOnEveryDatabase() {
        List<TenantRow> tenants = view.tenants();
        assertEquals(List.of(new TenantRow("web", "app", 8, 2, 0, 0, 0, 0, 0, 3),
                new TenantRow("web", "reports", 8, 2, 0, 0, 0, 0, 0, 3)), tenants);
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
        assertEquals(0, tenant.servers());
        assertEquals("pool_size 8 + reserve_pool_size 2", tenant.basis());
    }
}
