package io.pgmux.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PoolStatsTest {
    private final StatsRegistry registry = new StatsRegistry();
    private final PoolStats stats = registry.pool("app", "api", "web");

    @Test
    void eachHookMovesItsCounters() {
        stats.recordTransaction(1_500);
        stats.recordQuery(700);
        stats.recordQuery(300);
        stats.addBytes(120, 4_000);
        stats.countClientParse();
        stats.countServerParse();
        stats.countBind();
        stats.countBind();
        stats.serverAssigned(0);
        stats.serverAssigned(2_000);
        stats.waitEnded(9_000);
        stats.waitTimedOut();
        stats.serverConnected();
        stats.serverConnectFailed();
        stats.circuitOpened();
        stats.protocolError();
        stats.cancelForwarded();
        stats.queryTimedOut();
        stats.clientLoggedIn();
        stats.clientLoggedIn();
        stats.clientLeft();

        PoolTotals t = stats.totals();
        assertEquals(1, t.get(PoolCounter.XACT_COUNT));
        assertEquals(1_500, t.get(PoolCounter.XACT_TIME_US));
        assertEquals(2, t.get(PoolCounter.QUERY_COUNT));
        assertEquals(1_000, t.get(PoolCounter.QUERY_TIME_US));
        assertEquals(120, t.get(PoolCounter.BYTES_RECEIVED));
        assertEquals(4_000, t.get(PoolCounter.BYTES_SENT));
        assertEquals(1, t.get(PoolCounter.CLIENT_PARSES));
        assertEquals(1, t.get(PoolCounter.SERVER_PARSES));
        assertEquals(2, t.get(PoolCounter.BINDS));
        assertEquals(2, t.get(PoolCounter.SERVER_ASSIGNMENTS));
        assertEquals(11_000, t.get(PoolCounter.WAIT_TIME_US), "assigned and abandoned waits both count");
        assertEquals(1, t.get(PoolCounter.WAIT_TIMEOUTS));
        assertEquals(1, t.get(PoolCounter.SERVER_CONNECTS));
        assertEquals(1, t.get(PoolCounter.SERVER_CONNECT_FAILURES));
        assertEquals(1, t.get(PoolCounter.CIRCUIT_OPENS));
        assertEquals(1, t.get(PoolCounter.PROTOCOL_ERRORS));
        assertEquals(1, t.get(PoolCounter.CANCELS));
        assertEquals(1, t.get(PoolCounter.QUERY_TIMEOUTS));
        assertEquals(1, t.clientsConnected());

        assertEquals(3, t.histogram(Latency.WAIT).count());
        assertEquals(11_000, t.histogram(Latency.WAIT).sumMicros());
        assertEquals(2, t.histogram(Latency.QUERY).count());
        assertEquals(1, t.histogram(Latency.XACT).count());
    }

    @Test
    void bucketsAreInclusiveUpperBoundsFrom100MicrosTo30Seconds() {
        long[] bounds = LatencyBuckets.upperBoundsMicros();
        assertEquals(100, bounds[0]);
        assertEquals(30_000_000, bounds[bounds.length - 1]);
        assertEquals(bounds.length + 1, LatencyBuckets.COUNT);
        assertEquals(0, LatencyBuckets.indexOf(0));
        assertEquals(0, LatencyBuckets.indexOf(100));
        assertEquals(1, LatencyBuckets.indexOf(101));
        assertEquals(bounds.length - 1, LatencyBuckets.indexOf(30_000_000));
        assertEquals(bounds.length, LatencyBuckets.indexOf(30_000_001));

        stats.recordQuery(100);
        stats.recordQuery(101);
        stats.recordQuery(Long.MAX_VALUE / 4);
        LatencyHistogram h = stats.totals().histogram(Latency.QUERY);
        assertEquals(1, h.bucket(0));
        assertEquals(1, h.bucket(1));
        assertEquals(1, h.bucket(LatencyBuckets.COUNT - 1));
        assertEquals(2, h.cumulative(1));
        assertEquals(3, h.count());
    }

    @Test
    void negativeAmountsAreBugsAndRecordNothing() {
        assertThrows(IllegalArgumentException.class, () -> stats.recordQuery(-1));
        assertThrows(IllegalArgumentException.class, () -> stats.addBytes(-1, 0));
        assertEquals(0, stats.totals().get(PoolCounter.QUERY_COUNT));
        assertEquals(0, stats.totals().histogram(Latency.QUERY).count());
    }

    /**
     * Many threads at once, more than have blocks of their own (the rest share the locked block): nothing is lost,
     * and a reader running meanwhile never sees a counter go backwards.
     */
    @Test
    void concurrentWritersLoseNothing() throws Exception {
        int threads = WriterSlots.MAX + 20;
        int perThread = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        DefaultThreadFactory factory = new DefaultThreadFactory("stats-test");
        for (int i = 0; i < threads; i++) {
            Thread t = factory.newThread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int n = 0; n < perThread; n++) {
                    stats.recordQuery(n % 3 == 0 ? 50 : 5_000);
                    stats.addBytes(1, 2);
                }
            });
            writers.add(t);
            t.start();
        }
        start.countDown();
        long last = 0;
        while (writers.stream().anyMatch(Thread::isAlive)) {
            long now = stats.totals().get(PoolCounter.QUERY_COUNT);
            assertEquals(true, now >= last, "went back from " + last + " to " + now);
            last = now;
        }
        for (Thread each : writers) {
            each.join();
        }
        PoolTotals t = stats.totals();
        long expected = (long) threads * perThread;
        assertEquals(expected, t.get(PoolCounter.QUERY_COUNT));
        assertEquals(expected, t.histogram(Latency.QUERY).count());
        assertEquals(expected, t.get(PoolCounter.BYTES_RECEIVED));
        assertEquals(2 * expected, t.get(PoolCounter.BYTES_SENT));
    }

    @Test
    void aPoolMovedToAnotherTenantKeepsWhatItCountedBeforeUnderTheOldOne() {
        stats.recordQuery(10);
        stats.countUnder("mobile");
        stats.recordQuery(20);
        stats.recordQuery(30);
        stats.countUnder(null);
        stats.recordQuery(40);
        StatsSnapshot snapshot = registry.snapshot();
        assertEquals(3, snapshot.pools().size());
        assertEquals(java.util.Arrays.asList("web", "mobile", null),
                snapshot.pools().stream().map(StatsSnapshot.Pool::tenant).toList());
        assertEquals(List.of(1L, 2L, 1L), snapshot.pools().stream()
                .map(p -> p.totals().get(PoolCounter.QUERY_COUNT)).toList());
        assertEquals(4, stats.totals().get(PoolCounter.QUERY_COUNT));
        assertEquals(1, snapshot.byTenant().get("web").get(PoolCounter.QUERY_COUNT));
        assertEquals(2, snapshot.byTenant().get("mobile").get(PoolCounter.QUERY_COUNT));
        assertEquals(4, snapshot.byDatabase().get("app").get(PoolCounter.QUERY_COUNT));
        assertEquals(java.util.Optional.empty(), stats.tenant());
        assertEquals(stats, registry.pool("app", "api", "other"), "one pool's statistics, whatever tenant is named");
    }
}
