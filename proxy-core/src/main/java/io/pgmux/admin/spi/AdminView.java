package io.pgmux.admin.spi;

import java.util.List;

/**
 * What the admin console shows. Called on the console session's event loop: every method must answer from
 * memory without blocking (no I/O; a short lock is fine) and return rows that no longer change. Lists are in
 * the order the console shows them: pools by database then user, databases and users in the configuration's
 * order.
 */
public interface AdminView {
    List<PoolRow> pools();

    /** Client connections of every pool, console sessions included. */
    List<ConnectionRow> clients();

    List<ConnectionRow> servers();

    List<DatabaseRow> databases();

    List<UserRow> users();

    List<ConfigRow> config();

    /** Per database, summed over its pools. */
    List<StatsRow> stats();

    /** Summed over every pool (SHOW TOTALS); the row's database name is not shown. */
    StatsRow totals();

    ListCounts lists();

    PauseState pauseState();

    List<TenantRow> tenants();

    /** The budget table of every upstream server, upstream by upstream. */
    List<BudgetRow> budgets();

    List<PreparedRow> prepared();

    /** The fleet's instances and their leases (SHOW FLEET); none without {@code fleet.enabled}. */
    default List<FleetLeaseRow> fleet() {
        return List.of();
    }
}
