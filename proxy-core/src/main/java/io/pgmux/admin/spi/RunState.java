package io.pgmux.admin.spi;

/**
 * Where the running pgmux is in its life, as {@code /health/ready}'s {@code state} names it (SHOW STATE's row
 * {@code state}): serving, or shutting down (SIGTERM, SHUTDOWN and the rest), when new logins are refused and the
 * clients drain.
 */
public enum RunState {
    /** Not listening yet. */
    STARTING,
    /** Accepting clients. */
    SERVING,
    /** A shutdown began: new logins are refused, the clients drain or are closed. */
    SHUTTING_DOWN;

    /** The word SHOW STATE and the ready endpoint show: {@code serving}, {@code shutting_down}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
