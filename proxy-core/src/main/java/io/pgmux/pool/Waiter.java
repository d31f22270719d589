package io.pgmux.pool;

/**
 * A client queued for a server, with when it started waiting and how often a client behind it was served first
 * (see {@link ServerPool#pollWaiterFor}). Guarded by the manager's lock.
 */
final class Waiter {
    private final PoolClient client;
    private final long sinceNanos;
    int passedOver;
    /** query_wait_notify has been sent. */
    boolean notified;

    Waiter(PoolClient client, long sinceNanos) {
        this.client = client;
        this.sinceNanos = sinceNanos;
    }

    PoolClient client() {
        return client;
    }

    long sinceNanos() {
        return sinceNanos;
    }
}
