package io.pgmux.pool;

/**
 * Why a client of a pool has no server yet, as the pool sees it under its lock. The query_wait_notify NOTICE
 * and the query_wait_timeout FATAL both name it, so a client and the operator learn the real cause rather
 * than a guess.
 */
public enum WaitReason {
    /** PAUSE or KILL on the admin console holds the pool's database: nothing is lent until RESUME. */
    PAUSED,
    /**
     * No server of the pool is logged in and the last attempt got no answer from the database (the connect was
     * refused or timed out, the login did not finish within server_connect_timeout, the connection was lost), or
     * the upstream's circuit is open after another pool's failure.
     */
    UNREACHABLE,
    /**
     * No server of the pool is logged in and the database answered the last login with an error that may pass
     * (53300 "remaining connection slots are reserved", 57P03 "the database system is starting up"): it is up and
     * refuses.
     */
    REFUSED,
    /**
     * No server of the pool is logged in and none has failed since: a login is under way and the database has not
     * answered it yet (a slow or frozen database).
     */
    CONNECTING,
    /** The fleet gave this instance no lease of the full budget (its control connection may be down). */
    NO_LEASE,
    /** Every connection the pool's budgets allow is lent to another client. */
    BUSY;

    /** The reason for {@code pool}'s waiters now; under the pool's lock. */
    static WaitReason of(PoolCore core, ServerPool pool, Budget full) {
        if (core.isPaused(pool)) {
            return PAUSED;
        }
        if (pool.loggedInCount() == 0) {
            io.pgmux.protocol.PgError last = pool.lastConnectError;
            if (last != null && answeredByTheDatabase(last)) {
                return REFUSED;
            }
            if (last != null || pool.breaker().state() != CircuitState.CLOSED) {
                return UNREACHABLE;
            }
            if (pool.openingCount() > 0) {
                return CONNECTING;
            }
        }
        if (full != null && full.isLeased() && full.leased() == 0) {
            return NO_LEASE;
        }
        return BUSY;
    }

    /**
     * Whether a failed login's error is the database's own answer: pgmux reports getting no answer (a connect
     * refused or timed out, a login cut short, a connection lost) in class 08, connection exception, as libpq does;
     * any other SQLSTATE came in the database's ErrorResponse.
     */
    private static boolean answeredByTheDatabase(io.pgmux.protocol.PgError error) {
        return !error.sqlState().startsWith("08");
    }
}
