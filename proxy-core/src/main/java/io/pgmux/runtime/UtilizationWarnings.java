package io.pgmux.runtime;

import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.TenantLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once when a tenant's server connections in use on a database (linked to a client, {@link TenantLoad#inUse})
 * reach {@code utilization_warn_percent} of its {@code pool_size}, and says once when they are back below: a log
 * line per crossing, not per check, the note coming once the tenant has stayed below for {@link #QUIET}. Idle
 * connections the tenant still holds after a burst do not count: its next clients get them at once. Checked by
 * the maintenance task, one thread; not thread-safe.
 */
final class UtilizationWarnings {
    private static final Logger log = LoggerFactory.getLogger(UtilizationWarnings.class);

    /** What one check found: budgets that crossed the threshold upwards and those back below it. */
    record Crossings(List<TenantLoad> above, List<TenantLoad> below) {
    }

    /**
     * How long a tenant must stay below the threshold before the note that it is back below, and before it can be
     * warned about again: in transaction pooling, connections serving clients come and go with each transaction,
     * so a tenant whose use hovers at the threshold would otherwise log a pair of lines every check.
     */
    static final Duration QUIET = Duration.ofMinutes(1);

    /** (database, tenant) pairs warned about and not yet noted back below, with when each was last seen above. */
    private final Map<List<String>, Long> over = new HashMap<>();

    /**
     * Checks the pools' snapshots and logs the crossings; {@code percent} 0 checks nothing and forgets all.
     *
     * @param nowNanos the time of the check, on {@link System#nanoTime}'s scale
     */
    void check(Iterable<PoolSnapshot> pools, int percent, long nowNanos) {
        Crossings crossings = update(TenantLoad.of(pools), percent, nowNanos);
        for (TenantLoad b : crossings.above()) {
            log.warn(warning(b, percent));
        }
        for (TenantLoad b : crossings.below()) {
            log.info("tenant {} is back below utilization_warn_percent {} on database {} ({} of pool_size {} "
                    + "serving clients, for {} s)", b.tenant(), percent, b.database(), b.inUse(), b.limit(),
                    QUIET.toSeconds());
        }
    }

    /**
     * The warning for a budget that crossed {@code percent}: what is in use against pool_size, and what comes next,
     * which depends on the tenant's reserve (reserve_pool_size): with none, further clients wait at pool_size.
     */
    static String warning(TenantLoad b, int percent) {
        String next = b.reserve() > 0 ? "further clients wait once its reserve of " + b.reserve() + " is used"
                : "further clients wait";
        return "tenant " + b.tenant() + " has " + b.inUse() + " server connections serving clients on database "
                + b.database() + ", " + 100L * b.inUse() / b.limit() + "% of its pool_size " + b.limit()
                + " (utilization_warn_percent " + percent + "); " + next;
    }

    Crossings update(Iterable<TenantLoad> budgets, int percent, long nowNanos) {
        if (percent == 0) {
            over.clear();
            return new Crossings(List.of(), List.of());
        }
        List<TenantLoad> above = new ArrayList<>();
        List<TenantLoad> below = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        for (TenantLoad b : budgets) {
            List<String> key = List.of(b.database(), b.tenant());
            seen.add(key);
            boolean isOver = b.limit() > 0 && 100L * b.inUse() >= (long) percent * b.limit();
            Long lastOver = over.get(key);
            if (isOver) {
                if (lastOver == null) {
                    above.add(b);
                }
                over.put(key, nowNanos);
            } else if (lastOver != null && nowNanos - lastOver >= QUIET.toNanos()) {
                over.remove(key);
                below.add(b);
            }
        }
        // A tenant or database removed by a reload: no line, it is simply no longer watched.
        over.keySet().retainAll(seen);
        return new Crossings(above, below);
    }
}
