package io.pgmux.pool;

import java.time.Duration;

/**
 * Back-pressure from one upstream (host and port), shared by every pool that connects there. A refusal
 * ("too many clients", "starting up", a refused or timed-out connect) opens the circuit: nobody connects until
 * an exponentially growing, jittered back-off has passed; then a single probe tries, and its success closes the
 * circuit for everyone. So a database that is down or out of slots sees one attempt per back-off period from
 * this pgmux, however many clients are waiting. Guarded by the pool lock, except {@link #answered}.
 */
final class CircuitBreaker {
    private final String upstream;
    private final Backoff backoff;
    private CircuitState state = CircuitState.CLOSED;
    private long openUntilNanos;
    private boolean probing;
    private long attempts;
    /**
     * When the upstream last answered (a login succeeded, a check passed, a server came back from a transaction),
     * or {@link #NEVER}. Written without the lock, by the release path too, at most once per
     * {@link #ANSWER_GRANULARITY_NANOS}, so that the event loops do not fight over its cache line.
     */
    private volatile long answeredNanos = NEVER;
    private static final long NEVER = Long.MIN_VALUE;
    private static final long ANSWER_GRANULARITY_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    CircuitBreaker(String upstream, Duration firstBackoff) {
        this.upstream = upstream;
        this.backoff = new Backoff(firstBackoff);
    }

    /** Whether a new connection may start now; moves an expired open circuit to half-open. */
    boolean allowsOpening(long nowNanos) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (nowNanos - openUntilNanos < 0) {
                    return false;
                }
                move(CircuitState.HALF_OPEN);
                return true;
            case HALF_OPEN:
                return !probing;
            default:
                throw new IllegalStateException("unknown circuit state " + state);
        }
    }

    /** A connection attempt starts; in the half-open state it is the probe. */
    void attemptStarted() {
        attempts++;
        if (state == CircuitState.HALF_OPEN) {
            probing = true;
        }
    }

    /** A login succeeded: returns true when this closed an open circuit (waiters elsewhere may now connect). */
    boolean succeeded() {
        probing = false;
        backoff.succeeded();
        if (state == CircuitState.CLOSED) {
            return false;
        }
        move(CircuitState.CLOSED);
        return true;
    }

    /**
     * An attempt failed in a way that may pass (network, database starting up or out of slots). Returns the
     * back-off after which to try again, or -1 when the circuit was already open: attempts that were in flight
     * when it opened say nothing new and must not stretch the back-off.
     */
    long failed(long nowNanos) {
        if (state == CircuitState.OPEN) {
            return -1;
        }
        probing = false;
        long delay = backoff.failed();
        openUntilNanos = nowNanos + delay;
        move(CircuitState.OPEN);
        return delay;
    }

    /** The upstream answered at {@code nanos} (a reading of the pools' ticker); any thread, no lock. */
    void answered(long nanos) {
        long last = answeredNanos;
        if (last == NEVER || nanos - last > ANSWER_GRANULARITY_NANOS) {
            answeredNanos = nanos;
        }
    }

    /**
     * Under the lock (the circuit's state and attempts are guarded by it).
     *
     * @param liveServers the pools' logged-in, not closing servers there, which the pools count
     */
    UpstreamStatus status(long nowNanos, int liveServers) {
        long last = answeredNanos;
        return new UpstreamStatus(upstream, state, attempts, last == NEVER ? -1 : Math.max(0, nowNanos - last),
                liveServers);
    }

    CircuitState state() {
        return state;
    }

    /** Connection attempts started so far, successful or not. */
    long attempts() {
        return attempts;
    }

    int consecutiveFailures() {
        return backoff.failures();
    }

    String upstream() {
        return upstream;
    }

    private void move(CircuitState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("circuit " + upstream + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    @Override
    public String toString() {
        return "upstream " + upstream + " (circuit " + state + ")";
    }
}
