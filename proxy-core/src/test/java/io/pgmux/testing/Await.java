package io.pgmux.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds. Tests synchronise on observable state through this class,
 * never on {@code Thread.sleep}, so they are as fast as the system allows and fail with a reason.
 */
public final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /** A condition whose evaluation may throw, e.g. because it runs SQL. */
    @FunctionalInterface
    public interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /**
     * Waits until {@code condition} is true, polling every 20 ms.
     *
     * @throws AssertionError naming {@code description} when the timeout passes first
     */
    public static void until(Duration timeout, BooleanSupplier condition, String description) {
        untilChecked(timeout, condition::getAsBoolean, description);
    }

    /**
     * Like {@link #until} for conditions that throw checked exceptions (a separate name because an
     * overload would make every lambda argument ambiguous). An exception from the condition ends
     * the wait at once: it is wrapped in an AssertionError naming {@code description}.
     */
    public static void untilChecked(Duration timeout, CheckedCondition condition, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError("while awaiting: " + description, e);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms awaiting: " + description);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while awaiting: " + description, e);
            }
        }
    }
}
