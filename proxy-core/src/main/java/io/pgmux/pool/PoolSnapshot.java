package io.pgmux.pool;

/**
 * Counters of one pool at one moment, named after PgBouncer's SHOW POOLS columns, for the admin console and the
 * metrics registry.
 *
 * @param serversActive    connections linked to a client now (sv_active), one being handed to a client of another
 *                         event loop included
 * @param serversIdle      connections no client has, ready to serve one (sv_idle)
 * @param serversOpening   connections connecting or logging in (sv_login)
 * @param serversBeingCanceled servers done with their client, held until PostgreSQL has answered a cancel sent for
 *                             them (PgBouncer's sv_being_canceled)
 * @param maxWaitMicros    how long the longest-waiting client has waited (maxwait)
 * @param upstreamCircuit  the state of the circuit breaker of the pool's upstream server (shared with every pool
 *                         connecting there)
 * @param upstreamAttempts connection attempts pgmux has made to that upstream server so far
 * @param serversTested    idle servers running server_check_query before they serve (sv_tested)
 * @param tenant           the tenant whose budget the pool draws on, or null for a user without one
 * @param budgetLimit      that budget's normal size (the tenant's pool_size, or default_pool_size); 0 for none
 * @param budgetReserve    connections it may add once a client has waited reserve_pool_timeout
 * @param budgetUsed       connections counting against it now, of every pool sharing it (all the tenant's users
 *                         on this database), in any state: idle ones count as much as those serving clients
 */
public record PoolSnapshot(String database, String user, String poolMode, int clientsWaiting, int serversActive,
                           int serversIdle, int serversOpening, int serversBeingCanceled, long maxWaitMicros,
                           CircuitState upstreamCircuit, long upstreamAttempts, int serversTested, String tenant,
                           int budgetLimit, int budgetReserve, int budgetUsed) {
}
