package io.pgmux.pool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between failed connection attempts to one upstream, so a database that is
 * down or out of slots is probed, not hammered. Guarded by the manager's lock.
 */
final class Backoff {
    private static final long MAX_NANOS = Duration.ofSeconds(30).toNanos();

    private final long baseNanos;
    private int failures;
    private long notBeforeNanos;

    Backoff(Duration base) {
        this.baseNanos = Math.max(1, base.toNanos());
    }

    /** Records a failure at {@code nowNanos} and returns how long to wait before the next attempt. */
    long failed(long nowNanos) {
        failures = Math.min(failures + 1, 20);
        long ceiling = Math.min(MAX_NANOS, baseNanos << Math.min(failures - 1, 16));
        // Full jitter in the upper half keeps a fleet of pgmux instances from retrying in lockstep.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        notBeforeNanos = nowNanos + delay;
        return delay;
    }

    void succeeded() {
        failures = 0;
        notBeforeNanos = 0;
    }

    boolean isWaiting(long nowNanos) {
        return failures > 0 && nowNanos - notBeforeNanos < 0;
    }

    int failures() {
        return failures;
    }
}
