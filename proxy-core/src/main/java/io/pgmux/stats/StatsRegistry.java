package io.pgmux.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every pool's statistics in one running pgmux. A pool's entry is made the first time anyone records into it
 * (an authentication failure may come before the pool manager has the pool) and lives as long as pgmux.
 */
public final class StatsRegistry {
    private final WriterSlots slots = new WriterSlots();
    private final Map<Key, PoolStats> pools = new ConcurrentHashMap<>();
    /**
     * Logins refused because the user is not configured, per database pgmux serves. Not per user: the names are
     * whatever clients send, and one label per name would let anyone grow the registry without bound. Rare, and
     * from any thread: a LongAdder.
     */
    private final Map<String, LongAdder> unknownUserLogins = new ConcurrentHashMap<>();

    /**
     * The statistics of (database, user), made on first use counting under {@code tenant} (null for none). Later
     * calls return the same statistics whatever tenant they name: {@link PoolStats#countUnder} moves them.
     */
    public PoolStats pool(String database, String user, String tenant) {
        return pools.computeIfAbsent(new Key(database, user), k -> new PoolStats(database, user, tenant, slots));
    }

    /** A login to {@code database} (a configured one, or the admin console's) named a user pgmux does not know. */
    public void unknownUserLogin(String database) {
        unknownUserLogins.computeIfAbsent(database, d -> new LongAdder()).increment();
    }

    /** Every pool's totals now, sorted by database and user. */
    public StatsSnapshot snapshot() {
        List<StatsSnapshot.Pool> rows = new ArrayList<>();
        for (PoolStats each : pools.values()) {
            each.totalsByTenant().forEach((tenant, totals) ->
                    rows.add(new StatsSnapshot.Pool(each.database(), each.user(), tenant, totals)));
        }
        Map<String, Long> unknown = new TreeMap<>();
        unknownUserLogins.forEach((database, count) -> unknown.put(database, count.sum()));
        return new StatsSnapshot(rows, unknown);
    }

    private record Key(String database, String user) {
    }
}
