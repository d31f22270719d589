package io.pgmux.stats;

import java.util.Arrays;

/**
 * The upper bounds of the latency histograms (wait, transaction and query time), from 100 µs to 30 s in 1-2.5-5
 * steps, plus an overflow bucket for anything longer: fine enough to tell a 1 ms query from a 5 ms one, coarse
 * enough that three histograms per pool stay small (18 counts each).
 */
public final class LatencyBuckets {
    private static final long[] BOUNDS_MICROS = {
        100, 250, 500,
        1_000, 2_500, 5_000,
        10_000, 25_000, 50_000,
        100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000,
        10_000_000, 30_000_000,
    };

    /** Buckets including the overflow bucket ({@code +Inf} in Prometheus). */
    public static final int COUNT = BOUNDS_MICROS.length + 1;

    private LatencyBuckets() {
    }

    /** The bucket of a duration: the first whose upper bound (inclusive, as Prometheus' {@code le}) it does not exceed. */
    static int indexOf(long micros) {
        // Most durations are short: a scan from the bottom ends within a few steps.
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            if (micros <= BOUNDS_MICROS[i]) {
                return i;
            }
        }
        return BOUNDS_MICROS.length;
    }

    /** The finite upper bounds in microseconds, ascending; the overflow bucket has none. */
    public static long[] upperBoundsMicros() {
        return Arrays.copyOf(BOUNDS_MICROS, BOUNDS_MICROS.length);
    }
}
