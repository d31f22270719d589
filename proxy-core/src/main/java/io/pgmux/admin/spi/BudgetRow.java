package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One line of the budget table of an upstream server: a tenant's (or a user's) budget on a database, a
 * database's sum and cap, pgmux's total there, and, once the upstream was asked, its slots and the headroom left.
 *
 * @param budget  what the line is about, e.g. "tenant web on database app", "database app", "slots"
 * @param most    the most connections it allows (or the upstream has); may be negative for headroom
 * @param servers connections it counts now, idle ones included; null where a count makes no sense (slots,
 *                headroom)
 * @param basis   where the number comes from, e.g. "pool_size 8 + reserve_pool_size 2"
 * @param fleetLeases with a fleet, the leases all its instances hold on the budget as the last lease round read them
 *                from pg_locks (each covers at most one server connection of the fleet); null without a fleet and
 *                on lines that are no fleet budget
 */
public record BudgetRow(String upstream, String budget, int most, Integer servers, String basis,
                        Integer fleetLeases) {
    public BudgetRow {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(basis, "basis");
    }

    /** A line without a fleet-wide count. */
    public BudgetRow(String upstream, String budget, int most, Integer servers, String basis) {
        this(upstream, budget, most, servers, basis, null);
    }
}
