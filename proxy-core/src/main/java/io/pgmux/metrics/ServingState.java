package io.pgmux.metrics;

/** Where a running pgmux is in its life, as the readiness probe sees it. Only the runtime changes it. */
public enum ServingState {
    /** Constructed; the client listener is not bound yet. */
    STARTING,
    /** The client listener accepts connections. */
    SERVING,
    /** Closing: no longer accepting; the endpoint stays up so probes and scrapes see the drain. */
    SHUTTING_DOWN
}
