package io.pgmux.admin.spi;

/**
 * PgBouncer's eleven statistics (its documentation, "SHOW STATS"), either as totals since start or as averages
 * over the last stats period. Totals: counts, bytes, and times in microseconds. Averages: counts and bytes per
 * second; {@code xactTime} and {@code queryTime} in microseconds per transaction and per query; {@code waitTime}
 * in microseconds per server assignment.
 *
 * @param received bytes received from clients
 * @param sent     bytes sent to clients
 */
public record StatsCounters(long serverAssignmentCount, long xactCount, long queryCount, long received, long sent,
                            long xactTime, long queryTime, long waitTime, long clientParseCount,
                            long serverParseCount, long bindCount) {
    public static final StatsCounters ZERO = new StatsCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
