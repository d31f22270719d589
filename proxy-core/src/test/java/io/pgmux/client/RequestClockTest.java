package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.protocol.TransactionStatus;
import io.pgmux.stats.PoolCounter;
import io.pgmux.stats.PoolStats;
import io.pgmux.stats.PoolTotals;
import io.pgmux.stats.StatsRegistry;
import org.junit.jupiter.api.Test;

class RequestClockTest {
    private static final long MS = 1_000_000L;
    private final PoolStats stats = new StatsRegistry().pool("app", "u", null);
    private final RequestClock clock = new RequestClock(stats);

    @Test
    void aQueryOnItsOwnIsAQueryAndATransaction() {
        clock.sent(0, true);
        clock.readyForQuery(3 * MS, TransactionStatus.IDLE, true);
        PoolTotals t = stats.totals();
        assertEquals(1, t.get(PoolCounter.QUERY_COUNT));
        assertEquals(3000, t.get(PoolCounter.QUERY_TIME_US));
        assertEquals(1, t.get(PoolCounter.XACT_COUNT));
        assertEquals(3000, t.get(PoolCounter.XACT_TIME_US));
    }

    @Test
    void aTransactionBlockRunsFromItsFirstRequestToReadyForQueryIdle() {
        clock.sent(0, true);                             // BEGIN
        clock.readyForQuery(1 * MS, TransactionStatus.IN_TRANSACTION, true);
        clock.sent(5 * MS, true);                       // UPDATE
        clock.readyForQuery(7 * MS, TransactionStatus.IN_TRANSACTION, true);
        clock.sent(8 * MS, true);                       // COMMIT
        clock.readyForQuery(10 * MS, TransactionStatus.IDLE, true);
        PoolTotals t = stats.totals();
        assertEquals(3, t.get(PoolCounter.QUERY_COUNT));
        assertEquals(1000 + 2000 + 2000, t.get(PoolCounter.QUERY_TIME_US));
        assertEquals(1, t.get(PoolCounter.XACT_COUNT));
        assertEquals(10_000, t.get(PoolCounter.XACT_TIME_US));
    }

    @Test
    void pipelinedSyncsAreTimedEachFromItsOwnStartBeyondTheRingsFirstSize() {
        for (int i = 0; i < 10; i++) {
            clock.sent(i * MS, true);
        }
        for (int i = 0; i < 10; i++) {
            clock.readyForQuery(20 * MS, TransactionStatus.IDLE, i == 9);
        }
        PoolTotals t = stats.totals();
        assertEquals(10, t.get(PoolCounter.QUERY_COUNT));
        long expected = 0;
        for (int i = 0; i < 10; i++) {
            expected += (20 - i) * 1000L;
        }
        assertEquals(expected, t.get(PoolCounter.QUERY_TIME_US));
        assertEquals(1, t.get(PoolCounter.XACT_COUNT), "one transaction: only the first ReadyForQuery 'I' ends it");
    }

    @Test
    void startsTheServerSkippedAreDroppedOnceItIsQuiet() {
        clock.sent(0, true);      // a Sync whose batch failed
        clock.sent(1 * MS, true); // a Query the server skips, up to the Sync
        clock.readyForQuery(2 * MS, TransactionStatus.IDLE, true);
        clock.sent(10 * MS, true);
        clock.readyForQuery(11 * MS, TransactionStatus.IDLE, true);
        assertEquals(2000 + 1000, stats.totals().get(PoolCounter.QUERY_TIME_US));
    }

    @Test
    void aRequestThatFollowsAPipelinedOneOpensNoTransactionOfItsOwn() {
        clock.sent(0, true);
        clock.sent(1 * MS, true);
        clock.readyForQuery(2 * MS, TransactionStatus.IDLE, false);
        clock.sent(3 * MS, true); // the second query still awaits its ReadyForQuery
        clock.readyForQuery(4 * MS, TransactionStatus.IDLE, false);
        clock.readyForQuery(5 * MS, TransactionStatus.IDLE, true);
        assertEquals(1, stats.totals().get(PoolCounter.XACT_COUNT));
        clock.sent(6 * MS, false); // a Parse: the next transaction starts at the batch's first message
        clock.sent(7 * MS, true);
        clock.readyForQuery(9 * MS, TransactionStatus.IDLE, true);
        assertEquals(2, stats.totals().get(PoolCounter.XACT_COUNT));
        assertEquals(2000 + 3000, stats.totals().get(PoolCounter.XACT_TIME_US));
    }

    @Test
    void aServerThatLeavesEndsNothing() {
        clock.sent(0, true);
        clock.serverGone();
        clock.readyForQuery(5 * MS, TransactionStatus.IDLE, true);
        PoolTotals t = stats.totals();
        assertEquals(0, t.get(PoolCounter.QUERY_COUNT));
        assertEquals(0, t.get(PoolCounter.XACT_COUNT));
    }
}
