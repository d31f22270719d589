package io.pgmux.pool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter between failed connection attempts to one upstream: the base doubles with
 * every consecutive failure up to 30 seconds. Guarded by the manager's lock.
 */
final class Backoff {
    private static final long MAX_NANOS = Duration.ofSeconds(30).toNanos();

    private final long baseNanos;
    private int failures;

    Backoff(Duration base) {
        this.baseNanos = Math.max(1, base.toNanos());
    }

    /** Records a failure and returns how long to wait before the next attempt. */
    long failed() {
        failures = Math.min(failures + 1, 20);
        long ceiling = Math.min(MAX_NANOS, baseNanos << Math.min(failures - 1, 16));
        // Full jitter in the upper half keeps a fleet of pgmux instances from retrying in lockstep.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        return delay;
    }

    void succeeded() {
        failures = 0;
    }

    int failures() {
        return failures;
    }
}
