package io.pgmux.pool;

/**
 * What pgmux knows about one upstream server (host:port) at one moment.
 *
 * @param circuit             its circuit breaker's state
 * @param attempts            connection attempts made to it so far
 * @param nanosSinceAnswered  time since it last answered (a login succeeded, a server check passed or a server
 *                            came back from a transaction), or -1 if it never has
 * @param liveServers         server connections there that are logged in and not closing (idle, active, being
 *                            checked, reset or canceled), of every pool that connects there: those that can serve
 *                            a client now without a new login
 */
public record UpstreamStatus(String address, CircuitState circuit, long attempts, long nanosSinceAnswered,
                             int liveServers) {
}
