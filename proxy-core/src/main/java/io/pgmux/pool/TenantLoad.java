package io.pgmux.pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One tenant's budget on one database as the snapshots of the tenant's pools there report it: each user of the
 * tenant has a pool of its own, and they all draw on the one budget. What SHOW TENANTS, the {@code pgmux_tenant_*}
 * metrics and {@code utilization_warn_percent} read.
 *
 * <p>Utilization is saturation: the connections linked to a client (PgBouncer's sv_active) over pool_size. A
 * connection left idle after a burst still counts against the budget ({@link #servers}) until
 * server_idle_timeout closes it, but the tenant's next client gets it at once, so it is not in use.
 *
 * <p>The pools' snapshots are taken one after another, each under the pool lock, so while servers change hands
 * the sums may be a moment apart from {@link #servers}.
 *
 * @param limit             the budget's normal size (the tenant's pool_size); 0 for no cap
 * @param reserve           connections it may add once a client has waited reserve_pool_timeout
 * @param servers           connections counting against the budget now, whatever their state (linked, idle,
 *                          being tested, reset, opened or closed)
 * @param inUse             of those, the ones linked to a client now, one being handed to a client of another event
 *                          loop included: sv_active summed over the tenant's pools on the database
 * @param waiting           the tenant's clients waiting for a server there (cl_waiting summed)
 * @param longestWaitMicros how long the longest-waiting of them has waited, in microseconds
 */
public record TenantLoad(String database, String tenant, int limit, int reserve, int servers, int inUse,
                         int waiting, long longestWaitMicros) {

    /**
     * {@link #inUse} over {@link #limit}: 1.0 when as many connections serve clients as pool_size allows, above 1
     * while the reserve serves them too; empty for a budget with no cap.
     */
    public OptionalDouble utilization() {
        return limit > 0 ? OptionalDouble.of((double) inUse / limit) : OptionalDouble.empty();
    }

    /**
     * One load per (database, tenant) the snapshots name, in the order they first appear; pools of users without a
     * tenant are left out.
     */
    public static List<TenantLoad> of(Iterable<PoolSnapshot> pools) {
        Map<List<String>, TenantLoad> loads = new LinkedHashMap<>();
        for (PoolSnapshot s : pools) {
            if (s.tenant() == null) {
                continue;
            }
            TenantLoad own = new TenantLoad(s.database(), s.tenant(), s.budgetLimit(), s.budgetReserve(),
                    s.budgetUsed(), s.serversActive(), s.clientsWaiting(), s.maxWaitMicros());
            loads.merge(List.of(s.database(), s.tenant()), own, TenantLoad::plus);
        }
        return new ArrayList<>(loads.values());
    }

    /**
     * This pool's load together with another pool's of the same budget. Every pool reports the budget's whole
     * count, so {@link #servers} is not summed: the larger of the two is kept, the snapshots being a moment apart.
     */
    private TenantLoad plus(TenantLoad other) {
        return new TenantLoad(database, tenant, limit, reserve, Math.max(servers, other.servers),
                inUse + other.inUse, waiting + other.waiting, Math.max(longestWaitMicros, other.longestWaitMicros));
    }
}
