package io.pgmux.server;

/** What became of a CancelRequest pgmux sent to PostgreSQL on a connection of its own. */
public enum CancelOutcome {
    /** PostgreSQL closed the connection after reading the request: the backend has been signalled, if at all. */
    ANSWERED,
    /** The connection could not be made: the request never reached PostgreSQL. */
    NOT_SENT,
    /** The request went out but PostgreSQL did not close the connection in time: the signal may still come. */
    UNANSWERED
}
