package io.pgmux.admin.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.FleetLeaseRow;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.server.UpstreamSlots;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetRowsTest {
    private static final String UPSTREAM = "10.0.0.2:5432";
    private static final String WEB = "tenant web on database app";
    private static final String FILE = """
            databases:
              app: {host: 10.0.0.2, dbname: app, max_connections: 12}
            users:
              - {name: api, password: a, tenant: web}
            tenants:
              web: {pool_size: 10, reserve_pool_size: 2}
            """;

    private static PgmuxConfig config(String extra) {
        return ConfigLoader.parse(FILE + extra, "pgmux.yaml", Map.of());
    }

    private static FleetLeaseRow lease(String instance, int pid, String budget, int leases) {
        return new FleetLeaseRow(UPSTREAM, instance, pid, budget, leases, false, instance.equals("a"),
                Optional.of(10), Optional.of(2));
    }

    private static BudgetRow row(List<BudgetRow> rows, String budget) {
        return rows.stream().filter(r -> r.budget().equals(budget)).findFirst().orElseThrow();
    }

    @Test
    void withAFleetEachBudgetShowsTheLeasesOfAllInstancesAndTheHeadroomCountsEveryControlConnection() {
        List<FleetLeaseRow> fleet = List.of(lease("a", 100, WEB, 4), lease("b", 200, WEB, 3),
                lease("c", 300, WEB, 3), lease("a", 100, "database app", 4), lease("b", 200, "database app", 3),
                lease("c", 300, "database app", 3));
        List<BudgetRow> rows = BudgetRows.of(config("fleet: {enabled: true, name: api}\n"), List.of(),
                address -> Optional.of(new UpstreamSlots(25, 3, 0, 0)), fleet);
        assertEquals(10, row(rows, WEB).fleetLeases());
        assertEquals(0, row(rows, WEB).servers(), "this instance's own connections: none");
        assertEquals(10, row(rows, "database app").fleetLeases());
        BudgetRow control = row(rows, "fleet control connection");
        assertEquals(3, control.most(), "three instances seen");
        assertTrue(control.basis().contains("3 instances seen"), control.basis());
        assertEquals(22 - 12 - 3, row(rows, "headroom").most(), "slots less the budget and three control"
                + " connections");
    }

    @Test
    void beforeTheFirstRoundTheFleetCountsThisInstanceAlone() {
        List<BudgetRow> rows = BudgetRows.of(config("fleet: {enabled: true, name: api}\n"), List.of(),
                address -> Optional.of(new UpstreamSlots(25, 3, 0, 0)), List.of());
        assertEquals(0, row(rows, WEB).fleetLeases());
        assertEquals(1, row(rows, "fleet control connection").most());
        assertEquals(22 - 12 - 1, row(rows, "headroom").most());
    }

    @Test
    void withoutAFleetThereIsNoFleetCountAndNoControlConnection() {
        List<BudgetRow> rows = BudgetRows.of(config(""), List.of(),
                address -> Optional.of(new UpstreamSlots(25, 3, 0, 0)), List.of());
        assertNull(row(rows, WEB).fleetLeases());
        assertTrue(rows.stream().noneMatch(r -> r.budget().equals("fleet control connection")));
        assertEquals(22 - 12, row(rows, "headroom").most());
    }
}
