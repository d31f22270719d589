package io.pgmux.stats;

/**
 * The counters kept per pool, all monotonic. Names follow PgBouncer's SHOW STATS columns where PgBouncer has one
 * (see the constants' comments); times are in microseconds, as there.
 */
public enum PoolCounter {
    /** Transactions pooled (total_xact_count); in session mode, the client's transactions on its server. */
    XACT_COUNT,
    /** Queries pooled (total_query_count): one per simple Query or per extended-protocol Sync. */
    QUERY_COUNT,
    /** Bytes received from clients (total_received). */
    BYTES_RECEIVED,
    /** Bytes sent to clients (total_sent). */
    BYTES_SENT,
    /** Microseconds spent in transactions on a server (total_xact_time). */
    XACT_TIME_US,
    /** Microseconds spent in queries on a server (total_query_time). */
    QUERY_TIME_US,
    /** Microseconds clients waited for a server (total_wait_time), assigned or not in the end. */
    WAIT_TIME_US,
    /** Times a server was handed to a client (total_server_assignment_count). */
    SERVER_ASSIGNMENTS,
    /**
     * Prepared statements clients created: their Parses that name a statement (total_client_parse_count; an
     * unnamed Parse, as every query of the extended protocol sends, is no prepared statement there).
     */
    CLIENT_PARSES,
    /** Named prepared statements pgmux created on servers with Parses of its own (total_server_parse_count). */
    SERVER_PARSES,
    /** Binds from clients of named prepared statements (total_bind_count). */
    BINDS,
    /** Clients that logged in (PgBouncer 1.26's total_client_login_count). */
    CLIENT_LOGINS,
    /** Logged-in clients that left; logins minus these are the clients connected now. */
    CLIENT_LOGOUTS,
    /** Server connections opened and logged in. */
    SERVER_CONNECTS,
    /** Server connection attempts that failed (connect, login or the database's refusal). */
    SERVER_CONNECT_FAILURES,
    /** Waits for a server that ended with query_wait_timeout. */
    WAIT_TIMEOUTS,
    /** Queries cancelled by query_timeout. */
    QUERY_TIMEOUTS,
    /** Clients closed for breaking the protocol (SQLSTATE 08P01). */
    PROTOCOL_ERRORS,
    /** Cancel requests forwarded to a server. */
    CANCELS,
    /** Times a failed connection of this pool opened its upstream's circuit breaker. */
    CIRCUIT_OPENS;

    static final int COUNT = values().length;
}
