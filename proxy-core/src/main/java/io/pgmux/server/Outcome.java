package io.pgmux.server;

/**
 * Told once how a request pgmux tracks went: the backend answered it ({@link #done}: its terminal answer came, or
 * its error), or skipped it after an error earlier in the batch ({@link #skipped}).
 */
@FunctionalInterface
public interface Outcome {
    /** The backend ran the request: {@code succeeded} unless it answered with an error (or the server is gone). */
    void done(boolean succeeded);

    /**
     * The backend skipped the request, reading on to the next Sync after an error before it: the request had no
     * effect. For those to whom that is a failure like any other, {@code done(false)}.
     */
    default void skipped() {
        done(false);
    }
}
