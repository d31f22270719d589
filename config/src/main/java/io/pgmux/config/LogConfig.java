package io.pgmux.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What pgmux logs on its own, besides errors.
 *
 * @param logStats               PgBouncer's {@code log_stats}: one line per database every stats period with the
 *                               period's averages (transactions, queries, bytes per second; times in µs)
 * @param utilizationWarnPercent warn once when a tenant's server connections in use (linked to a client; idle
 *                               ones it holds do not count) reach this percentage of its {@code pool_size} on a
 *                               database, and note it once it has stayed below for a minute; 0 turns it off
 * @param logConnections         PgBouncer's {@code log_connections}: a line for each client that logs in (user,
 *                               database, address, TLS); off by default, as PostgreSQL's, since connection churn
 *                               would flood the log
 * @param logDisconnections      PgBouncer's {@code log_disconnections}: a line for each logged-in client that
 *                               leaves, with why and how long it stayed; off by default
 * @param logPoolerErrors        PgBouncer's {@code log_pooler_errors}: a line for each error pgmux itself sends a
 *                               client before closing it (timeouts, refusals, protocol violations); on by default
 * @param logSlowQuery           a query (from its Query or Sync to its ReadyForQuery) that takes at least this long
 *                               is logged with its pool, tenant, client address and duration, never its text or
 *                               parameters (PostgreSQL's log_min_duration_statement is the model); 0 turns it off
 */
public record LogConfig(boolean logStats, int utilizationWarnPercent, boolean logConnections,
                        boolean logDisconnections, boolean logPoolerErrors, Duration logSlowQuery) {
    public static final int DEFAULT_UTILIZATION_WARN_PERCENT = 80;
    /** Utilization goes above 100 % while a tenant uses its reserve; beyond this a threshold is surely a typo. */
    public static final int MAX_UTILIZATION_WARN_PERCENT = 1000;

    public LogConfig {
        Objects.requireNonNull(logSlowQuery, "logSlowQuery");
    }

    public static LogConfig defaults() {
        return new LogConfig(true, DEFAULT_UTILIZATION_WARN_PERCENT, false, false, true, Duration.ZERO);
    }
}
