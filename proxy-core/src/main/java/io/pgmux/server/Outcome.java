package io.pgmux.server;

/** Told once whether a request pgmux tracks succeeded (its terminal answer came) or not (an error, or skipped). */
@FunctionalInterface
public interface Outcome {
    void done(boolean succeeded);
}
