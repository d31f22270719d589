package io.pgmux.fleet;

import java.util.Collection;

/**
 * The size of one budget as an instance's file gives it, advertised to the fleet so that instances whose files
 * disagree can tell: the shared lock {@code pg_try_advisory_lock_shared(sizeKey, marker())} (see
 * {@link LeaseKeys#sizeKey}), read from pg_locks with the leases. The marker packs both numbers into the lock's
 * second key, {@code limit} in the high 16 bits and {@code reserve} in the low ones; sizes beyond 32767 are
 * advertised as 32767, more than any database allows connections.
 *
 * @param limit   normal slots (pool_size, max_connections, max_server_connections)
 * @param reserve reserve slots after them (reserve_pool_size; 0 where a budget has none)
 */
public record BudgetSize(int limit, int reserve) {
    private static final int MOST = 0x7fff;

    public BudgetSize {
        if (limit < 0 || reserve < 0) {
            throw new IllegalArgumentException("a budget of " + limit + " + " + reserve + " slots");
        }
    }

    /** All the slots, normal and reserve. */
    public int most() {
        return limit + reserve;
    }

    /** The second key of the size marker. */
    int marker() {
        return Math.min(limit, MOST) << 16 | Math.min(reserve, MOST);
    }

    /** The size a marker of {@link #marker()} advertises. */
    static BudgetSize ofMarker(int marker) {
        return new BudgetSize(marker >>> 16 & MOST, marker & MOST);
    }

    /**
     * The safe side of {@code sizes} and this one: the fewest normal slots, and the fewest slots in all, any of
     * them allows.
     */
    BudgetSize smallest(Collection<BudgetSize> sizes) {
        int fewest = limit;
        int fewestInAll = most();
        for (BudgetSize each : sizes) {
            fewest = Math.min(fewest, each.limit());
            fewestInAll = Math.min(fewestInAll, each.most());
        }
        return new BudgetSize(fewest, Math.max(0, fewestInAll - fewest));
    }

    @Override
    public String toString() {
        return reserve == 0 ? Integer.toString(limit) : limit + "+" + reserve;
    }
}
