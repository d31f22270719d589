package io.pgmux.pool;

import java.time.Duration;

/**
 * The per-pool settings that come from the pool's tenant (or the defaults, for a user without one).
 *
 * @param weight             share of a contended database relative to other tenants
 * @param minPoolSize        server connections kept open even when idle
 * @param reservePoolTimeout how long the longest waiter must wait before the reserve pool opens
 * @param queryWaitTimeout   longest a client waits for a server
 */
public record PoolSettings(int weight, int minPoolSize, Duration reservePoolTimeout, Duration queryWaitTimeout) {
}
