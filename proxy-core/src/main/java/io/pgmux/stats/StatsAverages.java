package io.pgmux.stats;

/**
 * The averages of PgBouncer's SHOW STATS over one stats period (src/stats.c, calc_average): counts and bytes per
 * second; transaction and query time in microseconds per transaction and per query; wait time in microseconds per
 * server assignment. Integer arithmetic, as PgBouncer's, so the columns match it to the unit.
 */
public record StatsAverages(long serverAssignmentCount, long xactCount, long queryCount, long recv, long sent,
                            long xactTime, long queryTime, long waitTime, long clientParseCount,
                            long serverParseCount, long bindCount, long clientLoginCount) {
    public static final StatsAverages ZERO = new StatsAverages(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static final long MICROS_PER_SECOND = 1_000_000;

    /** The averages from {@code older} to {@code newer}, taken {@code periodMicros} apart; zeros for no period. */
    public static StatsAverages between(PoolTotals older, PoolTotals newer, long periodMicros) {
        if (periodMicros <= 0) {
            return ZERO;
        }
        long assignments = delta(older, newer, PoolCounter.SERVER_ASSIGNMENTS);
        long xacts = delta(older, newer, PoolCounter.XACT_COUNT);
        long queries = delta(older, newer, PoolCounter.QUERY_COUNT);
        return new StatsAverages(
                perSecond(assignments, periodMicros),
                perSecond(xacts, periodMicros),
                perSecond(queries, periodMicros),
                perSecond(delta(older, newer, PoolCounter.BYTES_RECEIVED), periodMicros),
                perSecond(delta(older, newer, PoolCounter.BYTES_SENT), periodMicros),
                per(delta(older, newer, PoolCounter.XACT_TIME_US), xacts),
                per(delta(older, newer, PoolCounter.QUERY_TIME_US), queries),
                per(delta(older, newer, PoolCounter.WAIT_TIME_US), assignments),
                perSecond(delta(older, newer, PoolCounter.CLIENT_PARSES), periodMicros),
                perSecond(delta(older, newer, PoolCounter.SERVER_PARSES), periodMicros),
                perSecond(delta(older, newer, PoolCounter.BINDS), periodMicros),
                perSecond(delta(older, newer, PoolCounter.CLIENT_LOGINS), periodMicros));
    }

    private static long delta(PoolTotals older, PoolTotals newer, PoolCounter counter) {
        return newer.get(counter) - older.get(counter);
    }

    private static long perSecond(long amount, long periodMicros) {
        return amount * MICROS_PER_SECOND / periodMicros;
    }

    private static long per(long amount, long count) {
        return count > 0 ? amount / count : 0;
    }
}
