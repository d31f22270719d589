package io.pgmux.client;

import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;

/**
 * Whether a logged-in client is served on or is to leave at the end of its transaction because a graceful
 * shutdown began (SIGTERM, SHUTDOWN WAIT_FOR_SERVERS). Kept by the {@link PooledSession}, changed only by
 * {@link PooledSession#drainStarted}; a client is told once, on its own event loop, so that the transaction-end
 * path reads one plain field and no volatile one.
 */
public enum DrainState {
    /** Served as usual. */
    SERVING,
    /** A graceful shutdown began: the client is closed with {@link #ADMIN_SHUTDOWN} once between transactions. */
    DRAINING;

    /**
     * What PostgreSQL sends a backend's client at a shutdown or pg_terminate_backend (postgres.c,
     * ProcessInterrupts: FATAL 57P01 admin_shutdown), with pgmux's reason as DETAIL.
     */
    public static final PgError ADMIN_SHUTDOWN = PgError.fatal(SqlState.ADMIN_SHUTDOWN,
            "terminating connection due to administrator command").withDetail("pgmux is shutting down.");

    /** @throws IllegalStateException for a move back to {@link #SERVING}: a drain is not undone */
    DrainState moveTo(DrainState next) {
        if (this == DRAINING && next == SERVING) {
            throw new IllegalStateException("illegal drain transition " + this + " -> " + next);
        }
        return next;
    }
}
