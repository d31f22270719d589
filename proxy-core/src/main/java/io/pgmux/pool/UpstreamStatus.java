package io.pgmux.pool;

import java.time.Duration;

/**
 * What pgmux knows about one upstream server (host:port) at one moment.
 *
 * @param circuit             its circuit breaker's state
 * @param attempts            connection attempts made to it so far
 * @param nanosSinceAnswered  time since it last answered (a login succeeded, a server check passed or a server
 *                            came back from a transaction), or -1 if it never has
 */
public record UpstreamStatus(String address, CircuitState circuit, long attempts, long nanosSinceAnswered) {
    /** Whether it answered no longer than {@code window} ago. */
    public boolean answeredWithin(Duration window) {
        return nanosSinceAnswered >= 0 && nanosSinceAnswered <= window.toNanos();
    }
}
