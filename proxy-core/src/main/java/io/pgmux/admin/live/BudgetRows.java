package io.pgmux.admin.live;

import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.FleetLeaseRow;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.CapacityPlan;
import io.pgmux.server.UpstreamSlots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * SHOW BUDGETS' rows: the {@link CapacityPlan} of each upstream, the lines check-config prints, with the
 * connections each line counts now (with a fleet, also the leases the whole fleet holds on it); and once the
 * upstream was asked, its slots for ordinary roles and the headroom pgmux leaves there, one control connection
 * counted for each instance of the fleet seen.
 */
final class BudgetRows {
    private BudgetRows() {
    }

    /**
     * @param fleet SHOW FLEET's rows as the last lease round read them: the fleet-wide leases of each budget and the
     *              instances (control connections) seen at each upstream; empty without a fleet
     */
    static List<BudgetRow> of(PgmuxConfig config, List<PoolState> pools,
                              Function<String, Optional<UpstreamSlots>> slotsOf, List<FleetLeaseRow> fleet) {
        boolean leased = config.fleet().enabled();
        Map<List<String>, Integer> fleetLeases = new HashMap<>();
        Map<String, Set<Integer>> instances = new HashMap<>();
        for (FleetLeaseRow f : fleet) {
            fleetLeases.merge(List.of(f.upstream(), f.budget()), f.leases(), Integer::sum);
            instances.computeIfAbsent(f.upstream(), a -> new HashSet<>()).add(f.pid());
        }
        // Named as the plan's lines and the pool manager's budgets are: "tenant t on database d", "user u on ...".
        // Every pool sharing a budget reports the budget's whole use.
        Map<String, Integer> held = new HashMap<>();
        for (PoolState p : pools) {
            String owner = p.snapshot().tenant() != null ? "tenant " + p.snapshot().tenant() : "user " + p.user();
            held.merge(owner + " on database " + p.database(), p.snapshot().budgetUsed(), Math::max);
        }
        List<BudgetRow> rows = new ArrayList<>();
        for (CapacityPlan.Upstream upstream : CapacityPlan.of(config).upstreams()) {
            String address = upstream.address();
            int upstreamServers = 0;
            for (CapacityPlan.Database db : upstream.databases()) {
                // Each connection counts against exactly one tenant's or user's budget: theirs add up.
                int databaseServers = 0;
                for (CapacityPlan.Line line : db.budgets()) {
                    int used = held.getOrDefault(line.budget(), 0);
                    databaseServers += used;
                    rows.add(new BudgetRow(address, line.budget(), line.connections(), used, line.basis(),
                            leases(leased, fleetLeases, address, line.budget())));
                }
                upstreamServers += databaseServers;
                rows.add(new BudgetRow(address, "database " + db.name(), db.most(), databaseServers,
                        BudgetBasis.of(db), leases(leased, fleetLeases, address, "database " + db.name())));
            }
            rows.add(new BudgetRow(address, "pgmux", upstream.most(), upstreamServers, BudgetBasis.of(upstream),
                    leases(leased, fleetLeases, address, "pgmux")));
            // Every instance holds a control connection here: count those the last round saw, this one at least.
            int seen = instances.getOrDefault(address, Set.of()).size();
            int controls = upstream.control() > 0 ? Math.max(upstream.control(), seen) : 0;
            if (controls > 0) {
                rows.add(new BudgetRow(address, "fleet control connection", controls, upstream.control(),
                        "one per instance, holding its leases; " + controls + (controls == 1 ? " instance" :
                        " instances") + " seen at the last lease round; the budgets above hold for the whole fleet"));
            }
            Optional<UpstreamSlots> slots = slotsOf.apply(address);
            if (slots.isPresent()) {
                UpstreamSlots s = slots.get();
                rows.add(new BudgetRow(address, "slots", s.forOrdinaryRoles(), null, "max_connections "
                        + s.maxConnections() + " - superuser_reserved_connections " + s.superuserReserved()
                        + (s.reserved() > 0 ? " - reserved_connections " + s.reserved() : "")));
                rows.add(new BudgetRow(address, "headroom", s.forOrdinaryRoles() - upstream.most() - controls, null,
                        "slots left for clients that bypass pgmux; negative: the budgets over-commit the slots"));
            }
        }
        return rows;
    }

    /** The fleet's leases of a budget, 0 where none were seen; null without a fleet. */
    private static Integer leases(boolean leased, Map<List<String>, Integer> fleetLeases, String address,
                                  String budget) {
        return leased ? fleetLeases.getOrDefault(List.of(address, budget), 0) : null;
    }
}
