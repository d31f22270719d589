package io.pgmux.pool;

/**
 * Counters of one pool at one moment, named after PgBouncer's SHOW POOLS columns, for the admin console and the
 * metrics registry.
 */
public record PoolSnapshot(String database, String user, String poolMode, int clientsWaiting, int serversActive,
                           int serversIdle, int serversOpening, long maxWaitMicros) {
}
