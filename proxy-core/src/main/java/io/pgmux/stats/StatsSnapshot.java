package io.pgmux.stats;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every pool's totals at one moment, immutable, with the sums the console and the metrics show per database
 * (PgBouncer's SHOW STATS rows) and per tenant.
 *
 * @param pools             sorted by database, then user: one row per tenant a pool has counted under
 * @param unknownUserLogins logins refused for an unknown user name, per database
 * @param authFailures      logins of known users refused for a wrong password, sorted by database, then user
 */
public record StatsSnapshot(List<Pool> pools, Map<String, Long> unknownUserLogins, List<AuthFailures> authFailures) {
    public StatsSnapshot {
        pools = pools.stream().sorted(Comparator.comparing(Pool::database).thenComparing(Pool::user)).toList();
        unknownUserLogins = Map.copyOf(unknownUserLogins);
        authFailures = authFailures.stream()
                .sorted(Comparator.comparing(AuthFailures::database).thenComparing(AuthFailures::user)).toList();
    }

    /**
     * Logins as a known user to one database refused for a wrong password; {@code tenant} is null for a user
     * without one.
     */
    public record AuthFailures(String database, String user, String tenant, long count) {
    }

    /** One pool's totals; {@code tenant} is null for a user without one. */
    public record Pool(String database, String user, String tenant, PoolTotals totals) {
    }

    /** The pools' totals summed per database, sorted by name. */
    public Map<String, PoolTotals> byDatabase() {
        Map<String, PoolTotals> sums = new TreeMap<>();
        for (Pool each : pools) {
            sums.merge(each.database(), each.totals(), PoolTotals::plus);
        }
        return sums;
    }

    /** The pools' totals summed per tenant, sorted by name; pools without a tenant are left out. */
    public Map<String, PoolTotals> byTenant() {
        Map<String, PoolTotals> sums = new TreeMap<>();
        for (Pool each : pools) {
            if (each.tenant() != null) {
                sums.merge(each.tenant(), each.totals(), PoolTotals::plus);
            }
        }
        return sums;
    }
}
