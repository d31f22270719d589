package io.pgmux.pool;

import io.netty.util.concurrent.Ticker;

/**
 * Who gets a connection's place when a budget shared by several pools is full. Between pools of different
 * tenants (or users without one) the unit is the tenant's budget on the database; between pools of one tenant,
 * which share the tenant's budget, the unit is the pool. Either way the unit holding the least connections
 * relative to its {@code weight} comes first, so a burst of one cannot starve another. Under the pool lock.
 */
final class Fairness {
    private final Ticker ticker;
    private final PoolRegistry registry;
    private final PoolCore core;

    Fairness(Ticker ticker, PoolRegistry registry, PoolCore core) {
        this.ticker = ticker;
        this.registry = registry;
        this.core = core;
    }

    /**
     * How much of the contended capacity {@code pool} holds relative to its weight, measured against
     * {@code other}: per tenant when the two are of different tenants, per pool within one tenant.
     */
    static double share(ServerPool pool, ServerPool other) {
        int weight = pool.settings().weight();
        if (pool.tenantBudget() == other.tenantBudget()) {
            return (double) pool.serverCount() / weight;
        }
        return (double) pool.tenantBudget().used() / weight;
    }

    /**
     * A pool other than {@code releasing} whose unserved waiters are blocked by a budget {@code releasing} also
     * draws on (the tenant's, the database's or the global one), and which holds less than {@code releasing} by
     * {@link #share}; the most deprived one. Null when none: the released server stays in its pool.
     */
    ServerPool starvingPoolBehind(ServerPool releasing) {
        long now = ticker.nanoTime();
        ServerPool result = null;
        double least = Double.MAX_VALUE;
        for (ServerPool each : registry.all()) {
            if (each == releasing || !each.hasUnservedWaiters()) {
                continue;
            }
            Budget blocking = each.exhaustedBudget(now);
            if (blocking == null || !releasing.budgets().contains(blocking)) {
                continue;
            }
            double theirs = share(each, releasing);
            if (theirs < share(releasing, each) && theirs < least) {
                result = each;
                least = theirs;
            }
        }
        return result;
    }

    /**
     * A pool other than {@code idle}'s with unserved waiters blocked by a budget {@code idle} draws on, which may
     * therefore close one of its idle servers (an idle server is unused: no share is weighed); the least served.
     */
    ServerPool needyPoolBehind(ServerPool idle) {
        long now = ticker.nanoTime();
        ServerPool result = null;
        double least = Double.MAX_VALUE;
        for (ServerPool each : registry.all()) {
            if (each == idle || !each.hasUnservedWaiters()) {
                continue;
            }
            Budget blocking = each.exhaustedBudget(now);
            if (blocking != null && idle.budgets().contains(blocking)) {
                double theirs = share(each, idle);
                if (theirs < least) {
                    result = each;
                    least = theirs;
                }
            }
        }
        return result;
    }

    /**
     * {@code needy} has waiters and {@code full} has no room: idle servers of other pools drawing on it may be
     * closed to make room. Their loops do it ({@link PoolCore#tidy}), if the need is still there then.
     */
    void reclaimIdle(Budget full, ServerPool needy, Work work) {
        for (ServerPool each : registry.all()) {
            if (each == needy || !each.budgets().contains(full)) {
                continue;
            }
            for (LoopServers servers : each.byLoop()) {
                if (!servers.idle.isEmpty()) {
                    core.postTidy(servers, work);
                }
            }
        }
    }

    /** Of the pools with unserved waiters not yet served in {@code round}, the one whose tenant holds least. */
    ServerPool leastServedWaiting(ServerPool[] pools, int round) {
        ServerPool result = null;
        double least = Double.MAX_VALUE;
        for (ServerPool each : pools) {
            if (each.servedRound == round || !each.hasUnservedWaiters()) {
                continue;
            }
            double share = (double) each.tenantBudget().used() / each.settings().weight();
            if (share < least) {
                result = each;
                least = share;
            }
        }
        return result;
    }
}
