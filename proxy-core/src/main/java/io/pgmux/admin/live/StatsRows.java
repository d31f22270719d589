package io.pgmux.admin.live;

import io.pgmux.admin.spi.StatsCounters;
import io.pgmux.admin.spi.StatsRow;
import io.pgmux.stats.PoolCounter;
import io.pgmux.stats.PoolTotals;
import io.pgmux.stats.StatsAverages;
import io.pgmux.stats.StatsPeriod;
import io.pgmux.stats.StatsRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SHOW STATS' rows from the statistics model: each database's totals (its pools summed) and the averages of the
 * last complete stats period; and SHOW TOTALS' sums and averages over every database together.
 */
final class StatsRows {
    private StatsRows() {
    }

    static List<StatsRow> perDatabase(StatsRegistry registry, StatsPeriod period) {
        Map<String, StatsAverages> averages = period.averages();
        List<StatsRow> rows = new ArrayList<>();
        registry.snapshot().byDatabase().forEach((database, totals) -> rows.add(new StatsRow(database,
                totals(totals), average(averages.getOrDefault(database, StatsAverages.ZERO)))));
        return rows;
    }

    /** The sums over every database, and the averages of the last period over all of them together. */
    static StatsRow overall(StatsRegistry registry, StatsPeriod period) {
        PoolTotals sum = null;
        for (PoolTotals each : registry.snapshot().byDatabase().values()) {
            sum = sum == null ? each : sum.plus(each);
        }
        return new StatsRow("", sum == null ? StatsCounters.ZERO : totals(sum), average(period.overallAverages()));
    }

    private static StatsCounters totals(PoolTotals t) {
        return new StatsCounters(t.get(PoolCounter.SERVER_ASSIGNMENTS), t.get(PoolCounter.XACT_COUNT),
                t.get(PoolCounter.QUERY_COUNT), t.get(PoolCounter.BYTES_RECEIVED), t.get(PoolCounter.BYTES_SENT),
                t.get(PoolCounter.XACT_TIME_US), t.get(PoolCounter.QUERY_TIME_US), t.get(PoolCounter.WAIT_TIME_US),
                t.get(PoolCounter.CLIENT_PARSES), t.get(PoolCounter.SERVER_PARSES), t.get(PoolCounter.BINDS));
    }

    private static StatsCounters average(StatsAverages a) {
        return new StatsCounters(a.serverAssignmentCount(), a.xactCount(), a.queryCount(), a.recv(), a.sent(),
                a.xactTime(), a.queryTime(), a.waitTime(), a.clientParseCount(), a.serverParseCount(),
                a.bindCount());
    }

}
