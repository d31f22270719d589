package io.pgmux.stats;

import java.util.Arrays;

/**
 * A latency histogram at one moment: how many observations fell in each bucket of {@link LatencyBuckets} (not
 * cumulative; the last is the overflow bucket), and their sum in microseconds.
 */
public final class LatencyHistogram {
    private final long[] counts;
    private final long sumMicros;

    LatencyHistogram(long[] counts, long sumMicros) {
        this.counts = counts;
        this.sumMicros = sumMicros;
    }

    /** Observations in bucket {@code index}, 0 to {@link LatencyBuckets#COUNT} - 1. */
    public long bucket(int index) {
        return counts[index];
    }

    /** Observations up to and including bucket {@code index}: Prometheus' {@code _bucket{le=...}}. */
    public long cumulative(int index) {
        long total = 0;
        for (int i = 0; i <= index; i++) {
            total += counts[i];
        }
        return total;
    }

    public long count() {
        return cumulative(counts.length - 1);
    }

    public long sumMicros() {
        return sumMicros;
    }

    LatencyHistogram plus(LatencyHistogram other) {
        long[] sum = counts.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.counts[i];
        }
        return new LatencyHistogram(sum, sumMicros + other.sumMicros);
    }

    @Override
    public String toString() {
        return "count " + count() + ", sum " + sumMicros + " µs, buckets " + Arrays.toString(counts);
    }
}
