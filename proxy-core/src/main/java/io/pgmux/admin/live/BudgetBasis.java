package io.pgmux.admin.live;

import io.pgmux.pool.CapacityPlan;

/**
 * Where the most connections of a database and of an upstream come from, worded once for SHOW BUDGETS, check-config
 * and the start-up log: the budgets' sum, and the cap ({@code max_connections} of a database,
 * {@code max_server_connections} of pgmux) called "capped by" only when it is below the sum and so is what limits,
 * e.g. {@code its budgets' sum 24, capped by max_connections 20}, but {@code its budgets' sum 14 (max_connections
 * 15)}.
 */
public final class BudgetBasis {
    private BudgetBasis() {
    }

    /** A database's line: its budgets' sum against its {@code max_connections}. */
    public static String of(CapacityPlan.Database db) {
        return worded("its budgets' sum", db.sum(), "max_connections", db.cap());
    }

    /** pgmux's line at an upstream: its databases' sum against {@code max_server_connections}. */
    public static String of(CapacityPlan.Upstream upstream) {
        return worded("the databases' sum", upstream.sum(), "max_server_connections", upstream.globalCap());
    }

    /** @param cap the setting's value; 0 means it is not set */
    private static String worded(String what, int sum, String setting, int cap) {
        if (cap == 0) {
            return what + " " + sum + " (no " + setting + " cap)";
        }
        return cap < sum ? what + " " + sum + ", capped by " + setting + " " + cap
                : what + " " + sum + " (" + setting + " " + cap + ")";
    }
}
