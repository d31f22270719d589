package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One pool (database, user) at one moment: a row of SHOW POOLS. The counts are PgBouncer's (its documentation,
 * "SHOW POOLS"): clients by state, servers by state.
 *
 * @param clActive           clients linked to a server, or idle between transactions
 * @param clWaiting          clients that sent a request and wait for a server
 * @param clActiveCancelReq  cancel requests forwarded to a server
 * @param clWaitingCancelReq cancel requests waiting for a connection to send them on
 * @param svActive           servers linked to a client
 * @param svActiveCancel     servers sending a cancel request
 * @param svBeingCanceled    servers whose query a cancel request is stopping
 * @param svIdle             servers idle and ready
 * @param svUsed             servers idle longer than server_check_delay, due a check before reuse
 * @param svTested           servers running server_check_query or server_reset_query
 * @param svLogin            servers connecting or logging in
 * @param maxWaitMicros      how long the longest-waiting client has waited, in microseconds
 * @param poolMode           session or transaction
 * @param loadBalanceHosts   PgBouncer's setting for multi-host databases; null when the database has one host
 * @param tenant             the tenant whose budget the pool draws on; null for a user without one
 * @param pinned             clients pinned to their server (session state in transaction mode)
 * @param upstreamCircuit    the circuit breaker of the pool's upstream: closed, open or half_open
 */
public record PoolRow(String database, String user, int clActive, int clWaiting, int clActiveCancelReq,
                      int clWaitingCancelReq, int svActive, int svActiveCancel, int svBeingCanceled, int svIdle,
                      int svUsed, int svTested, int svLogin, long maxWaitMicros, String poolMode,
                      String loadBalanceHosts, String tenant, int pinned, String upstreamCircuit) {
    public PoolRow {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(poolMode, "poolMode");
        Objects.requireNonNull(upstreamCircuit, "upstreamCircuit");
    }
}
