package io.pgmux.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.stats.StatsAverages;
import org.junit.jupiter.api.Test;

final class StatsLogTest {
    @Test
    void oneLineWithPgbouncersFieldsAndUnits() {
        StatsAverages a = new StatsAverages(40, 12, 30, 2048, 65536, 850, 310, 95, 3, 2, 4, 1);
        assertEquals("stats: database=app 12 xacts/s, 30 queries/s, 3 client parses/s, 2 server parses/s, "
                + "4 binds/s, in 2048 B/s, out 65536 B/s, xact 850 us, query 310 us, wait 95 us",
                StatsLog.line("app", a));
    }
}
