package io.pgmux.runtime;

import io.pgmux.admin.live.BudgetBasis;
import io.pgmux.pool.CapacityPlan;
import io.pgmux.server.UpstreamSlots;

/** Writes an upstream's budgets against its slots as a plain-text table, for the log and check-config. */
final class BudgetTable {
    private BudgetTable() {
    }

    /** @param slots null when the upstream could not be asked: the budgets alone are shown */
    static String render(CapacityPlan.Upstream upstream, UpstreamSlots slots) {
        StringBuilder out = new StringBuilder();
        if (slots != null) {
            out.append("upstream ").append(upstream.address()).append(": max_connections ")
                    .append(slots.maxConnections()).append(" - superuser_reserved_connections ")
                    .append(slots.superuserReserved());
            if (slots.reserved() > 0) {
                out.append(" - reserved_connections ").append(slots.reserved());
            }
            out.append(" = ").append(slots.forOrdinaryRoles()).append(" slots for pgmux and every other client\n");
        }
        if (upstream.control() > 0) {
            out.append("fleet: these budgets hold for every instance of the fleet together; each instance adds its"
                    + " control connection\n");
        }
        row(out, "budget", "most", "from");
        for (CapacityPlan.Database db : upstream.databases()) {
            for (CapacityPlan.Line line : db.budgets()) {
                row(out, "  " + line.budget(), Integer.toString(line.connections()), line.basis());
            }
            row(out, "database " + db.name(), Integer.toString(db.most()), BudgetBasis.of(db));
        }
        row(out, "pgmux at " + upstream.address(), Integer.toString(upstream.most()), BudgetBasis.of(upstream));
        if (upstream.control() > 0) {
            row(out, "fleet control connection", Integer.toString(upstream.control()),
                    "one per instance, holding its leases (count one for each instance you run)");
        }
        if (slots == null) {
            return out.toString();
        }
        int headroom = slots.forOrdinaryRoles() - upstream.total();
        row(out, "headroom", Integer.toString(headroom), "slots left for clients that bypass pgmux ("
                + slots.othersConnectedNow() + " connected now, pgmux's own included)");
        if (headroom >= 0) {
            out.append("OK: pgmux can never exhaust the slots of ").append(upstream.address()).append('\n');
        } else {
            out.append("OVER-COMMITTED by ").append(-headroom).append(": under full load pgmux may open ")
                    .append(upstream.total()).append(" connections to ").append(upstream.address())
                    .append(", which has ").append(slots.forOrdinaryRoles()).append(" for ordinary roles. ")
                    .append("Lower pool_size, reserve_pool_size or the databases' max_connections, set ")
                    .append("max_server_connections, or raise max_connections on the database.\n");
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String budget, String most, String from) {
        out.append(String.format("  %-44s %6s   %s%n", budget, most, from));
    }
}
