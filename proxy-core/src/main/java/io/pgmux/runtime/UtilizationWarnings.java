package io.pgmux.runtime;

import io.pgmux.pool.PoolSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once when a tenant's server connections in use on a database reach {@code utilization_warn_percent} of its
 * {@code pool_size}, and says once when they are back below: a log line per crossing, not per check. Checked by
 * the maintenance task, one thread; not thread-safe.
 */
final class UtilizationWarnings {
    private static final Logger log = LoggerFactory.getLogger(UtilizationWarnings.class);

    /** A tenant's budget on a database, as the pools' snapshots report it. */
    record Budget(String database, String tenant, int used, int limit) {
        int percent() {
            return (int) (100L * used / limit);
        }
    }

    /** What one check found: budgets that crossed the threshold upwards and those back below it. */
    record Crossings(List<Budget> above, List<Budget> below) {
    }

    /** (database, tenant) pairs at or above the threshold when last checked. */
    private final Set<List<String>> over = new HashSet<>();

    /** Checks the pools' snapshots and logs the crossings; {@code percent} 0 checks nothing and forgets all. */
    void check(Iterable<PoolSnapshot> pools, int percent) {
        Crossings crossings = update(budgets(pools), percent);
        for (Budget b : crossings.above()) {
            log.warn("tenant {} uses {} of its {} server connections on database {} ({}%, "
                    + "utilization_warn_percent {}); further clients wait once the reserve is used", b.tenant(),
                    b.used(), b.limit(), b.database(), b.percent(), percent);
        }
        for (Budget b : crossings.below()) {
            log.info("tenant {} is back below utilization_warn_percent {} on database {} ({} of {})", b.tenant(),
                    percent, b.database(), b.used(), b.limit());
        }
    }

    Crossings update(Iterable<Budget> budgets, int percent) {
        List<Budget> above = new ArrayList<>();
        List<Budget> below = new ArrayList<>();
        Set<List<String>> seen = new HashSet<>();
        for (Budget b : budgets) {
            List<String> key = List.of(b.database(), b.tenant());
            seen.add(key);
            boolean isOver = percent > 0 && b.limit() > 0 && 100L * b.used() >= (long) percent * b.limit();
            if (isOver && over.add(key)) {
                above.add(b);
            } else if (!isOver && over.remove(key)) {
                below.add(b);
            }
        }
        // A tenant or database removed by a reload: no line, it is simply no longer watched.
        over.retainAll(seen);
        return new Crossings(above, below);
    }

    /** One budget per (database, tenant): all of a tenant's pools on a database report the same shared budget. */
    private static Iterable<Budget> budgets(Iterable<PoolSnapshot> pools) {
        Map<List<String>, Budget> budgets = new LinkedHashMap<>();
        for (PoolSnapshot s : pools) {
            if (s.tenant() != null) {
                budgets.putIfAbsent(List.of(s.database(), s.tenant()),
                        new Budget(s.database(), s.tenant(), s.budgetUsed(), s.budgetLimit()));
            }
        }
        return budgets.values();
    }
}
