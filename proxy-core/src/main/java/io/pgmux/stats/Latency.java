package io.pgmux.stats;

/** The latency histograms kept per pool; each one's sum is the matching time counter. */
public enum Latency {
    /** From asking for a server to getting one (or giving up); 0 when an idle server was at hand. */
    WAIT(PoolCounter.WAIT_TIME_US),
    /** A transaction on a server, from its first request to the ReadyForQuery that ends it. */
    XACT(PoolCounter.XACT_TIME_US),
    /** A query on a server, from the request to its ReadyForQuery. */
    QUERY(PoolCounter.QUERY_TIME_US);

    private final PoolCounter sum;

    Latency(PoolCounter sum) {
        this.sum = sum;
    }

    /** The counter that holds this histogram's sum in microseconds. */
    public PoolCounter sum() {
        return sum;
    }

    /** Where this histogram's bucket counts start in a counter block. */
    int offset() {
        return PoolCounter.COUNT + ordinal() * LatencyBuckets.COUNT;
    }

    static final int SLOTS = values().length * LatencyBuckets.COUNT;
}
