package io.pgmux.pool;

/** A client queued for a server, with when it started waiting. */
record Waiter(PoolClient client, long sinceNanos) {
}
