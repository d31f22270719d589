package io.pgmux.pool;

import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pools' side of a fleet's leases (see {@code io.pgmux.fleet}): what each budget shared by the fleet uses and
 * wants, and the one place where the number of connections the held leases allow is set. Taking a lease comes
 * before raising the allowance, and a lease is given back only after the allowance was lowered and the
 * connections beyond it have gone (their backends closed): so the fleet's connections never outnumber its leases.
 * Not for event loops: each call takes the pool lock once.
 */
public final class LeasedBudgets {
    /**
     * One budget shared by the fleet, as seen at one moment under the pool lock.
     *
     * @param key           the budget's name (see {@link BudgetPlan.Cap#key()})
     * @param limit         its normal size (pool_size, max_connections, ...)
     * @param reserve       connections beyond {@code limit} for clients that waited reserve_pool_timeout
     * @param used          connections counted against it here, connecting and closing ones included
     * @param idle          of those, idle in their pools
     * @param leased        connections the held leases allow now
     * @param waiting       clients waiting in the pools drawing on it whose budgets before it (the pool's own, then
     *                      its database's) have room: those another lease of it could serve
     * @param shortOfLeases whether a pool waits that another lease would let open a connection
     * @param reserveWanted whether such a pool has waited long enough for the reserve
     */
    public record Use(String key, int limit, int reserve, int used, int idle, int leased, int waiting,
                      boolean shortOfLeases, boolean reserveWanted) {
        /** Connections serving clients (or about to). */
        public int busy() {
            return Math.max(0, used - idle);
        }
    }

    private final PoolLock lock;
    private final Ticker ticker;
    private final PoolRegistry registry;
    private final PoolCore core;
    /** What {@link #usage} last reported, by key; under the pool lock. */
    private Map<String, Budget> known = Map.of();

    LeasedBudgets(PoolLock lock, Ticker ticker, PoolRegistry registry, PoolCore core) {
        this.lock = lock;
        this.ticker = ticker;
        this.registry = registry;
        this.core = core;
    }

    /** Every budget shared by the fleet, in the budget plan's order; empty without a fleet. */
    public List<Use> usage() {
        PoolRegistry.Layout layout = registry.layout();
        long now = ticker.nanoTime();
        List<Use> result = new ArrayList<>();
        Work work = lock.enter();
        try {
            Map<Budget, int[]> facts = new HashMap<>();
            for (ServerPool pool : layout.all()) {
                boolean reserve = pool.tenantBudget().hasReserve() && pool.mayUseReserve(now);
                // A pool's budgets in order: its own, its database's, the global one. Its waiters count for a
                // budget only while the ones before it have room: a database lease taken for clients that wait
                // for their tenant's would sit unused, kept from the instances that could use it.
                boolean earlierFull = false;
                for (Budget budget : pool.budgets()) {
                    boolean servesWaiters = !earlierFull;
                    earlierFull |= budget.isExhausted(reserve);
                    if (!budget.isLeased()) {
                        continue;
                    }
                    int[] f = facts.computeIfAbsent(budget, b -> new int[4]);
                    f[0] += pool.idleCount();
                    if (!servesWaiters) {
                        continue;
                    }
                    f[1] += pool.waiters.size();
                    if (pool.hasUnservedWaiters() && budget.isShortOfLeases(reserve)) {
                        f[2] = 1;
                        if (reserve) {
                            f[3] = 1;
                        }
                    }
                }
            }
            for (Map.Entry<String, Budget> each : known(layout).entrySet()) {
                Budget budget = each.getValue();
                int[] f = facts.getOrDefault(budget, new int[4]);
                // A budget a reload dropped allows nothing: its leases go back as its connections close.
                boolean dropped = layout.budgets().get(each.getKey()) != budget;
                result.add(new Use(each.getKey(), dropped ? 0 : budget.limit(), dropped ? 0 : budget.reserve(),
                        budget.used(), Math.min(f[0], budget.used()), budget.leased(), f[1], f[2] == 1,
                        f[3] == 1));
            }
        } finally {
            lock.exit(work);
        }
        return result;
    }

    /**
     * The leased budgets by key, under the pool lock: the configuration's, then those a reload dropped while their
     * connections or leases are not all gone (servers opened against a budget keep counting against it until they
     * close). Remembers what it returns, for {@link #allow} and the next call.
     */
    private Map<String, Budget> known(PoolRegistry.Layout layout) {
        Map<String, Budget> result = new LinkedHashMap<>();
        layout.budgets().forEach((key, budget) -> {
            if (budget.isLeased()) {
                result.put(key, budget);
            }
        });
        for (Map.Entry<String, Budget> each : known.entrySet()) {
            Budget budget = each.getValue();
            if (!result.containsKey(each.getKey()) && (budget.used() > 0 || budget.leased() > 0)) {
                result.put(each.getKey(), budget);
            }
        }
        known = result;
        return result;
    }

    /**
     * Sets the connections the held leases allow, per budget key (unknown keys are ignored). Raised, waiting
     * clients get the connections now allowed; lowered below what is open, idle connections close at once and busy
     * ones when their clients give them back.
     */
    public void allow(Map<String, Integer> leased) {
        PoolRegistry.Layout layout = registry.layout();
        Work work = lock.enter();
        try {
            Map<String, Budget> budgets = known(layout);
            boolean changed = false;
            for (Map.Entry<String, Integer> each : leased.entrySet()) {
                Budget budget = budgets.get(each.getKey());
                if (budget != null && budget.isLeased() && budget.leased() != each.getValue()) {
                    budget.lease(each.getValue());
                    changed = true;
                }
            }
            if (changed) {
                core.reconfigured(work);
            }
        } finally {
            lock.exit(work);
        }
    }
}
