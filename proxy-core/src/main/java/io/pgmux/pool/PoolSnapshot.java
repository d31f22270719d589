package io.pgmux.pool;

/**
 * Counters of one pool at one moment, named after PgBouncer's SHOW POOLS columns, for the admin console and the
 * metrics registry.
 *
 * @param serversBeingCanceled servers done with their client, held until PostgreSQL has answered a cancel sent for
 *                             them (PgBouncer's sv_being_canceled)
 * @param upstreamCircuit  the state of the circuit breaker of the pool's upstream server (shared with every pool
 *                         connecting there)
 * @param upstreamAttempts connection attempts pgmux has made to that upstream server so far
 */
public record PoolSnapshot(String database, String user, String poolMode, int clientsWaiting, int serversActive,
                           int serversIdle, int serversOpening, int serversBeingCanceled, long maxWaitMicros,
                           CircuitState upstreamCircuit, long upstreamAttempts) {
}
