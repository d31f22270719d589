package io.pgmux.admin.live;

import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.CapacityPlan;
import io.pgmux.server.UpstreamSlots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * SHOW BUDGETS' rows: the {@link CapacityPlan} of each upstream, the lines check-config prints, with the
 * connections each line counts now; and once the upstream was asked, its slots for ordinary roles and the
 * headroom pgmux leaves there.
 */
final class BudgetRows {
    private BudgetRows() {
    }

    static List<BudgetRow> of(PgmuxConfig config, List<PoolState> pools,
                              Function<String, Optional<UpstreamSlots>> slotsOf) {
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
                    rows.add(new BudgetRow(address, line.budget(), line.connections(), used, line.basis()));
                }
                upstreamServers += databaseServers;
                rows.add(new BudgetRow(address, "database " + db.name(), db.most(), databaseServers,
                        BudgetBasis.of(db)));
            }
            rows.add(new BudgetRow(address, "pgmux", upstream.most(), upstreamServers, BudgetBasis.of(upstream)));
            if (upstream.control() > 0) {
                rows.add(new BudgetRow(address, "fleet control connection", upstream.control(), upstream.control(),
                        "one per instance, holding its leases; the budgets above hold for the whole fleet"));
            }
            Optional<UpstreamSlots> slots = slotsOf.apply(address);
            if (slots.isPresent()) {
                UpstreamSlots s = slots.get();
                rows.add(new BudgetRow(address, "slots", s.forOrdinaryRoles(), null, "max_connections "
                        + s.maxConnections() + " - superuser_reserved_connections " + s.superuserReserved()
                        + (s.reserved() > 0 ? " - reserved_connections " + s.reserved() : "")));
                rows.add(new BudgetRow(address, "headroom", s.forOrdinaryRoles() - upstream.total(), null,
                        "slots left for clients that bypass pgmux; negative: the budgets over-commit the slots"));
            }
        }
        return rows;
    }
}
