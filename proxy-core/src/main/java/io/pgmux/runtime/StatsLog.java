package io.pgmux.runtime;

import io.pgmux.stats.StatsAverages;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PgBouncer's {@code log_stats}: after each stats period one line per database that had traffic in it, with the
 * period's averages as SHOW STATS_AVERAGES gives them (counts and bytes per second, times in microseconds per
 * transaction, per query and per server assignment).
 */
final class StatsLog {
    private static final Logger log = LoggerFactory.getLogger(StatsLog.class);

    private StatsLog() {
    }

    /** Logs {@code averages} (database -> the last period's averages), skipping databases that were idle. */
    static void log(Map<String, StatsAverages> averages) {
        averages.forEach((database, a) -> {
            if (!a.equals(StatsAverages.ZERO)) {
                log.info(line(database, a));
            }
        });
    }

    static String line(String database, StatsAverages a) {
        return "stats: database=" + database + " " + a.xactCount() + " xacts/s, " + a.queryCount() + " queries/s, "
                + a.clientParseCount() + " client parses/s, " + a.serverParseCount() + " server parses/s, "
                + a.bindCount() + " binds/s, in " + a.recv() + " B/s, out " + a.sent() + " B/s, xact "
                + a.xactTime() + " us, query " + a.queryTime() + " us, wait " + a.waitTime() + " us";
    }
}
