package io.pgmux.stats;

/**
 * Every counter and histogram of a pool (or the sum of several pools) at one moment; immutable. Times in
 * microseconds, sizes in bytes.
 */
public final class PoolTotals {
    static final PoolTotals ZERO = new PoolTotals(new long[CounterBlock.SIZE]);

    private final long[] values;

    PoolTotals(long[] values) {
        this.values = values;
    }

    public long get(PoolCounter counter) {
        return values[counter.ordinal()];
    }

    public LatencyHistogram histogram(Latency latency) {
        long[] counts = new long[LatencyBuckets.COUNT];
        System.arraycopy(values, latency.offset(), counts, 0, counts.length);
        return new LatencyHistogram(counts, get(latency.sum()));
    }

    /** Clients logged in now: logins minus logouts. */
    public long clientsConnected() {
        return Math.max(0, get(PoolCounter.CLIENT_LOGINS) - get(PoolCounter.CLIENT_LOGOUTS));
    }

    /** The sum of two pools' totals, e.g. for a database's or a tenant's row. */
    public PoolTotals plus(PoolTotals other) {
        long[] sum = values.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.values[i];
        }
        return new PoolTotals(sum);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PoolTotals[");
        for (PoolCounter each : PoolCounter.values()) {
            if (get(each) != 0) {
                s.append(each.name().toLowerCase()).append('=').append(get(each)).append(' ');
            }
        }
        return s.append(']').toString();
    }
}
