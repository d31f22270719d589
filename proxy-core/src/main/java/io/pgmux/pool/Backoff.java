package io.pgmux.pool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential back-off with jitter between failed connection attempts to one upstream: starting at
 * server_login_retry, the ceiling doubles with every consecutive failure up to the larger of server_login_retry and
 * {@link #LEAST_CEILING}, and each delay is drawn from the upper half below it. Guarded by the manager's lock.
 *
 * <p>Why that ceiling: a probe costs the database one connection attempt, so one every few seconds per upstream is
 * cheap, while a long ceiling is paid after the database has recovered, by every client queued behind the open
 * circuit (a 30 s ceiling kept clients waiting up to 30 s after a restart). PgBouncer retries every
 * server_login_retry without growing at all; a server_login_retry above the least ceiling is kept as it is.
 */
final class Backoff {
    /** The ceiling when server_login_retry is shorter: at most this long between recovery and reconnecting. */
    static final Duration LEAST_CEILING = Duration.ofSeconds(5);

    private final long baseNanos;
    private final long ceilingNanos;
    /** A uniform draw from [0, bound), for a bound of at least 1. */
    private final LongUnaryOperator uniform;
    private int failures;

    /** @param base server_login_retry: the first back-off's ceiling */
    Backoff(Duration base) {
        this(base, bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    /** @param uniform a uniform draw from [0, bound), for a bound of at least 1 (tests pass their own) */
    Backoff(Duration base, LongUnaryOperator uniform) {
        this.baseNanos = Math.max(1, base.toNanos());
        this.ceilingNanos = Math.max(baseNanos, LEAST_CEILING.toNanos());
        this.uniform = uniform;
    }

    /** Records a failure and returns how long to wait before the next attempt, in nanoseconds. */
    long failed() {
        failures = Math.min(failures + 1, 20);
        long ceiling = Math.min(ceilingNanos, baseNanos << Math.min(failures - 1, 16));
        // Full jitter in the upper half keeps a fleet of pgmux instances from retrying in lockstep.
        return ceiling / 2 + uniform.applyAsLong(ceiling / 2 + 1);
    }

    void succeeded() {
        failures = 0;
    }

    int failures() {
        return failures;
    }
}
