package io.pgmux.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every pool's statistics in one running pgmux. A pool's entry is made the first time anyone records into it and
 * lives as long as pgmux. Refused logins are counted beside the pools, never in one: a login that fails makes no
 * pool, and the admin console or a database pgmux does not serve has none to count in.
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
    /** Logins of a user pgmux knows refused for a wrong password, per (database, user, tenant). */
    private final Map<Login, LongAdder> authFailures = new ConcurrentHashMap<>();

    /**
     * The statistics of (database, user), made on first use counting under {@code tenant} (null for none). Later
     * calls return the same statistics whatever tenant they name: {@link PoolStats#countUnder} moves them.
     */
    public PoolStats pool(String database, String user, String tenant) {
        return pools.computeIfAbsent(new Key(database, user), k -> new PoolStats(database, user, tenant, slots));
    }

    /**
     * A login as {@code user}, whom pgmux knows, was refused for a wrong password (PostgreSQL's 28P01).
     *
     * @param database the database the login named: a configured one, the admin console's, or one name for every
     *                 database pgmux does not serve (the names are whatever clients send)
     * @param tenant   the user's tenant now; null for none
     */
    public void authFailed(String database, String user, String tenant) {
        authFailures.computeIfAbsent(new Login(database, user, tenant), k -> new LongAdder())
                .increment();
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
        List<StatsSnapshot.AuthFailures> refused = new ArrayList<>();
        authFailures.forEach((key, count) -> refused.add(
                new StatsSnapshot.AuthFailures(key.database(), key.user(), key.tenant(), count.sum())));
        return new StatsSnapshot(rows, unknown, refused);
    }

    private record Key(String database, String user) {
    }

    /** Whom a refused login named; the tenant is null for a user without one. */
    private record Login(String database, String user, String tenant) {
    }
}
