package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * The statistics of one database (summed over its pools), or of all of them: a row of SHOW STATS.
 *
 * @param database the database's name; for the sum over all, what the caller chose to call it
 */
public record StatsRow(String database, StatsCounters total, StatsCounters average) {
    public StatsRow {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(average, "average");
    }
}
