package io.pgmux.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * PgBouncer's stats_period: every period the totals per database are kept, and SHOW STATS' averages are those of
 * the last complete period (between the two latest rolls), so they change once a period, not on every look.
 * {@link #roll} is called by one scheduled task; readers may call {@link #averages} from any thread.
 */
public final class StatsPeriod {
    private final StatsRegistry registry;
    private volatile Window window;

    /** Starts the first period at {@code nowNanos} (a {@link System#nanoTime} reading). */
    public StatsPeriod(StatsRegistry registry, long nowNanos) {
        this.registry = registry;
        Map<String, PoolTotals> now = registry.snapshot().byDatabase();
        this.window = new Window(now, nowNanos, now, nowNanos);
    }

    /** Ends the current period at {@code nowNanos}. */
    public void roll(long nowNanos) {
        Window last = window;
        window = new Window(last.newer, last.newerNanos, registry.snapshot().byDatabase(), nowNanos);
    }

    /** The averages of the last complete period per database, sorted by name; zeros before the first roll. */
    public Map<String, StatsAverages> averages() {
        Window w = window;
        long micros = TimeUnit.NANOSECONDS.toMicros(w.newerNanos - w.olderNanos);
        Map<String, StatsAverages> result = new TreeMap<>();
        w.newer.forEach((database, totals) ->
                result.put(database, StatsAverages.between(w.older.getOrDefault(database, PoolTotals.ZERO), totals,
                        micros)));
        return result;
    }

    /**
     * The averages of the last complete period over every database together (PgBouncer's SHOW TOTALS): the
     * period's sums divided as for one database, so a time is per transaction of all of them, not a mean of means.
     */
    public StatsAverages overallAverages() {
        Window w = window;
        return StatsAverages.between(sum(w.older), sum(w.newer), TimeUnit.NANOSECONDS.toMicros(w.newerNanos
                - w.olderNanos));
    }

    private static PoolTotals sum(Map<String, PoolTotals> byDatabase) {
        PoolTotals sum = PoolTotals.ZERO;
        for (PoolTotals each : byDatabase.values()) {
            sum = sum.plus(each);
        }
        return sum;
    }

    private record Window(Map<String, PoolTotals> older, long olderNanos, Map<String, PoolTotals> newer,
                          long newerNanos) {
    }
}
