package io.pgmux.pool;

/**
 * Why a client of a pool has no server yet, as the pool sees it under its lock. The query_wait_notify NOTICE
 * and the query_wait_timeout FATAL both name it, so a client and the operator learn the real cause rather
 * than a guess.
 */
public enum WaitReason {
    /** PAUSE or KILL on the admin console holds the pool's database: nothing is lent until RESUME. */
    PAUSED,
    /** No server of the pool is logged in and the database refused or did not answer the last attempt. */
    UNREACHABLE,
    /** The fleet gave this instance no lease of the full budget (its control connection may be down). */
    NO_LEASE,
    /** Every connection the pool's budgets allow is lent to another client. */
    BUSY;

    /** The reason for {@code pool}'s waiters now; under the pool's lock. */
    static WaitReason of(PoolCore core, ServerPool pool, Budget full) {
        if (core.isPaused(pool)) {
            return PAUSED;
        }
        if (pool.loggedInCount() == 0
                && (pool.lastConnectError != null || pool.breaker().state() != CircuitState.CLOSED)) {
            return UNREACHABLE;
        }
        if (full != null && full.isLeased() && full.leased() == 0) {
            return NO_LEASE;
        }
        return BUSY;
    }
}
