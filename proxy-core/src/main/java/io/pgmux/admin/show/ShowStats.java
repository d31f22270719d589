package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.numeric;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.StatsCounters;
import io.pgmux.admin.spi.StatsRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * SHOW STATS, SHOW STATS_TOTALS, SHOW STATS_AVERAGES and SHOW TOTALS: PgBouncer 1.25's columns, every statistic
 * numeric. STATS has the totals then the averages per database; STATS_TOTALS and STATS_AVERAGES one half each,
 * under shorter names; TOTALS the sums over every database as name/value rows, under its own names.
 */
public final class ShowStats {
    public static final List<Field> STATS_COLUMNS = columns("database",
            "total_server_assignment_count", "total_xact_count", "total_query_count", "total_received",
            "total_sent", "total_xact_time", "total_query_time", "total_wait_time", "total_client_parse_count",
            "total_server_parse_count", "total_bind_count",
            "avg_server_assignment_count", "avg_xact_count", "avg_query_count", "avg_recv", "avg_sent",
            "avg_xact_time", "avg_query_time", "avg_wait_time", "avg_client_parse_count",
            "avg_server_parse_count", "avg_bind_count");
    public static final List<Field> STATS_TOTALS_COLUMNS = columns("database",
            "server_assignment_count", "xact_count", "query_count", "bytes_received", "bytes_sent", "xact_time",
            "query_time", "wait_time", "client_parse_count", "server_parse_count", "bind_count");
    public static final List<Field> STATS_AVERAGES_COLUMNS = columns("database",
            "server_assignment_count", "xact_count", "query_count", "bytes_received", "bytes_sent", "xact_time",
            "query_time", "wait_time", "avg_client_parse_count", "avg_server_parse_count", "avg_bind_count");
    public static final List<Field> TOTALS_COLUMNS = List.of(text("name"), numeric("value"));
    /** SHOW TOTALS' row names, in order: the totals, then the same with avg_. */
    public static final List<String> TOTALS_NAMES = List.of(
            "total_server_assignment_count", "total_xact_count", "total_query_count", "total_client_bytes",
            "total_server_bytes", "total_xact_time", "total_query_time", "total_wait_time",
            "total_ps_client_parse_count", "total_ps_server_parse_count", "total_ps_bind_count",
            "avg_server_assignment_count", "avg_xact_count", "avg_query_count", "avg_client_bytes",
            "avg_server_bytes", "avg_xact_time", "avg_query_time", "avg_wait_time",
            "avg_ps_client_parse_count", "avg_ps_server_parse_count", "avg_ps_bind_count");

    private ShowStats() {
    }

    public static ResultTable stats(List<StatsRow> databases) {
        List<List<String>> rows = new ArrayList<>(databases.size());
        for (StatsRow each : databases) {
            List<String> row = new ArrayList<>(STATS_COLUMNS.size());
            row.add(each.database());
            row.addAll(values(each.total()));
            row.addAll(values(each.average()));
            rows.add(row);
        }
        return new ResultTable(STATS_COLUMNS, rows);
    }

    public static ResultTable totals(List<StatsRow> databases) {
        return half(STATS_TOTALS_COLUMNS, databases, true);
    }

    public static ResultTable averages(List<StatsRow> databases) {
        return half(STATS_AVERAGES_COLUMNS, databases, false);
    }

    /** SHOW TOTALS: the sums over every database; {@code all}'s database name is not shown. */
    public static ResultTable overall(StatsRow all) {
        List<String> values = new ArrayList<>(values(all.total()));
        values.addAll(values(all.average()));
        List<List<String>> rows = new ArrayList<>(TOTALS_NAMES.size());
        for (int i = 0; i < TOTALS_NAMES.size(); i++) {
            rows.add(List.of(TOTALS_NAMES.get(i), values.get(i)));
        }
        return new ResultTable(TOTALS_COLUMNS, rows);
    }

    private static ResultTable half(List<Field> columns, List<StatsRow> databases, boolean totals) {
        List<List<String>> rows = new ArrayList<>(databases.size());
        for (StatsRow each : databases) {
            List<String> row = new ArrayList<>(columns.size());
            row.add(each.database());
            row.addAll(values(totals ? each.total() : each.average()));
            rows.add(row);
        }
        return new ResultTable(columns, rows);
    }

    /** The eleven statistics in PgBouncer's order. */
    private static List<String> values(StatsCounters c) {
        return List.of(Cells.of(c.serverAssignmentCount()), Cells.of(c.xactCount()), Cells.of(c.queryCount()),
                Cells.of(c.received()), Cells.of(c.sent()), Cells.of(c.xactTime()), Cells.of(c.queryTime()),
                Cells.of(c.waitTime()), Cells.of(c.clientParseCount()), Cells.of(c.serverParseCount()),
                Cells.of(c.bindCount()));
    }

    private static List<Field> columns(String first, String... statistics) {
        List<Field> result = new ArrayList<>(statistics.length + 1);
        result.add(text(first));
        for (String each : statistics) {
            result.add(numeric(each));
        }
        return List.copyOf(result);
    }
}
