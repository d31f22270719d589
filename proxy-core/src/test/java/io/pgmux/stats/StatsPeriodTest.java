package io.pgmux.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatsPeriodTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final StatsRegistry registry = new StatsRegistry();
    private final PoolStats stats = registry.pool("app", "api", "web");

    @Test
    void averagesFollowPgBouncer() {
        StatsPeriod period = new StatsPeriod(registry, 0);
        for (int i = 0; i < 120; i++) {
            stats.recordTransaction(2_000);
            stats.recordQuery(500);
            stats.recordQuery(1_500);
            stats.serverAssigned(i < 60 ? 0 : 400);
            stats.addBytes(100, 1_000);
            stats.countBind();
        }
        assertEquals(StatsAverages.ZERO, period.averages().get("app"), "no period has ended yet");
        period.roll(60 * SECOND);

        StatsAverages avg = period.averages().get("app");
        assertEquals(2, avg.xactCount(), "per second");
        assertEquals(4, avg.queryCount(), "per second");
        assertEquals(2, avg.serverAssignmentCount(), "per second");
        assertEquals(200, avg.recv(), "bytes per second");
        assertEquals(2_000, avg.sent(), "bytes per second");
        assertEquals(2, avg.bindCount(), "per second");
        assertEquals(2_000, avg.xactTime(), "µs per transaction");
        assertEquals(1_000, avg.queryTime(), "µs per query");
        assertEquals(200, avg.waitTime(), "µs per server assignment, immediate ones included");

        // The next period saw nothing: its averages are zeros, not divisions by zero.
        period.roll(120 * SECOND);
        assertEquals(StatsAverages.ZERO, period.averages().get("app"));
    }

    @Test
    void aPoolThatAppearsMidPeriodCountsFromZero() {
        StatsPeriod period = new StatsPeriod(registry, 0);
        registry.pool("billing", "api", "web").recordQuery(100);
        period.roll(SECOND);
        assertEquals(1, period.averages().get("billing").queryCount());
        assertEquals(100, period.averages().get("billing").queryTime());
    }

    @Test
    void overallAveragesDivideTheSumsNotAverageTheAverages() {
        StatsPeriod period = new StatsPeriod(registry, 0);
        for (int i = 0; i < 3; i++) {
            stats.recordTransaction(1_000);
        }
        registry.pool("billing", "api", "web").recordTransaction(5_000);
        registry.pool("billing", "api", "web").recordQuery(700);
        period.roll(2 * SECOND);
        StatsAverages all = period.overallAverages();
        assertEquals(2, all.xactCount(), "4 transactions in 2 s");
        assertEquals(2_000, all.xactTime(), "8000 µs over 4 transactions, not the mean of 1000 and 5000");
        assertEquals(0, all.queryCount(), "1 query in 2 s, per second in integers as PgBouncer");
        assertEquals(700, all.queryTime(), "per query, however few");
    }
}
