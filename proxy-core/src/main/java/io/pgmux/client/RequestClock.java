package io.pgmux.client;

import io.pgmux.protocol.TransactionStatus;
import io.pgmux.stats.PoolStats;

/**
 * Times a client's queries and transactions on its servers, for its pool's statistics (PgBouncer's
 * {@code total_query_time} and {@code total_xact_time}, in µs): a query from the moment its Query, FunctionCall
 * or Sync went to the server to its ReadyForQuery; a transaction from the first request sent to an idle server
 * to the next ReadyForQuery 'I'. Pipelined queries queue their start times in a ring that grows only when a
 * pipeline is deeper than any before; nothing else allocates. Times are {@link System#nanoTime()} readings.
 * Confined to the client's event loop.
 */
final class RequestClock {
    private static final long[] NO_QUERIES = new long[0];
    private final PoolStats stats;
    /** Where a query that took long is told; null for none. */
    private final SlowQueries slow;
    /** Made at the first query: an idle client that never ran one holds no ring. */
    private long[] queryStarts = NO_QUERIES;
    private int head;
    private int size;
    private long transactionStart;
    private boolean inTransaction;

    RequestClock(PoolStats stats) {
        this(stats, null);
    }

    /** @param slow the client's slow-query log; null for none */
    RequestClock(PoolStats stats, SlowQueries slow) {
        this.stats = stats;
        this.slow = slow;
    }

    /**
     * A request went to the server. It opens a transaction when none of the client's is open and nothing the client
     * sent before awaits its ReadyForQuery. That is the clock's own view, not whether the server is idle: a server
     * may still be running pgmux's own query (the alignment of a client's settings on a server just lent, a
     * readback after SET) when the client's request follows it, and that query is no part of the client's
     * transaction.
     *
     * @param endsQuery it is a Query, FunctionCall or Sync, which the server answers with ReadyForQuery
     */
    void sent(long nowNanos, boolean endsQuery) {
        if (!inTransaction && size == 0) {
            inTransaction = true;
            transactionStart = nowNanos;
        }
        if (endsQuery) {
            if (size == queryStarts.length) {
                grow();
            }
            queryStarts[(head + size) % queryStarts.length] = nowNanos;
            size++;
        }
    }

    /**
     * The server said ReadyForQuery for the client.
     *
     * @param quiet whether nothing else is outstanding on the server: requests the server skipped (a Query after
     *              an error in a batch) will get no ReadyForQuery of their own, so their starts are dropped
     */
    void readyForQuery(long nowNanos, TransactionStatus status, boolean quiet) {
        if (size > 0) {
            long start = queryStarts[head];
            head = (head + 1) % queryStarts.length;
            size--;
            stats.recordQuery(micros(start, nowNanos));
            if (slow != null) {
                slow.queryTook(nowNanos - start);
            }
        }
        if (quiet) {
            head = 0;
            size = 0;
        }
        if (status == TransactionStatus.IDLE && inTransaction) {
            inTransaction = false;
            stats.recordTransaction(micros(transactionStart, nowNanos));
        }
    }

    /** The client's server went away (released, lost or the client left): nothing it ran is timed further. */
    void serverGone() {
        head = 0;
        size = 0;
        inTransaction = false;
    }

    private static long micros(long startNanos, long endNanos) {
        return Math.max(0, (endNanos - startNanos) / 1000);
    }

    private void grow() {
        long[] grown = new long[Math.max(4, queryStarts.length * 2)];
        for (int i = 0; i < size; i++) {
            grown[i] = queryStarts[(head + i) % queryStarts.length];
        }
        queryStarts = grown;
        head = 0;
    }
}
