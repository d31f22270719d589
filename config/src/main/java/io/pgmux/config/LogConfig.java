package io.pgmux.config;

/**
 * What pgmux logs on its own, besides connection events and errors.
 *
 * @param logStats               PgBouncer's {@code log_stats}: one line per database every stats period with the
 *                               period's averages (transactions, queries, bytes per second; times in µs)
 * @param utilizationWarnPercent warn once when a tenant's server connections in use reach this percentage of its
 *                               {@code pool_size} on a database, and note it once it is back below; 0 turns it off
 */
public record LogConfig(boolean logStats, int utilizationWarnPercent) {
    public static final int DEFAULT_UTILIZATION_WARN_PERCENT = 80;
    /** Utilization goes above 100 % while a tenant uses its reserve; beyond this a threshold is surely a typo. */
    public static final int MAX_UTILIZATION_WARN_PERCENT = 1000;

    public static LogConfig defaults() {
        return new LogConfig(true, DEFAULT_UTILIZATION_WARN_PERCENT);
    }
}
