package io.pgmux.pool;

/**
 * A client queued for a server, with when it started waiting and how often a client behind it was served first
 * (see {@link WaitQueue#pollFor}). Made before the pool lock is taken; guarded by it once queued.
 */
final class Waiter {
    private final PoolClient client;
    private final long sinceNanos;
    int passedOver;
    /** query_wait_notify has been sent. */
    boolean notified;
    Waiter prev;
    Waiter next;

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

    /** The waiter queued after this one, or null; for sweeps that walk the queue. */
    Waiter next() {
        return next;
    }
}
