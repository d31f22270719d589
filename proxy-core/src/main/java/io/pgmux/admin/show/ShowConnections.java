package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHOW CLIENTS and SHOW SERVERS: PgBouncer 1.25's 21 columns ("ssssssisiTTiiississii", the timestamps as text),
 * then tenant and pinned_reason.
 */
public final class ShowConnections {
    public static final List<Field> COLUMNS = List.of(
            text("type"), text("user"), text("database"), text("replication"), text("state"), text("addr"),
            int4("port"), text("local_addr"), int4("local_port"), text("connect_time"), text("request_time"),
            int4("wait"), int4("wait_us"), int4("close_needed"), text("ptr"), text("link"), int4("remote_pid"),
            text("tls"), text("application_name"), int4("prepared_statements"), int4("id"),
            text("tenant"), text("pinned_reason"));
    static final int PGBOUNCER_COLUMNS = 21;

    private ShowConnections() {
    }

    public static ResultTable clients(List<ConnectionRow> clients, ColumnSet set) {
        return table("C", clients, set);
    }

    public static ResultTable servers(List<ConnectionRow> servers, ColumnSet set) {
        return table("S", servers, set);
    }

    private static ResultTable table(String type, List<ConnectionRow> connections, ColumnSet set) {
        List<List<String>> rows = new ArrayList<>(connections.size());
        for (ConnectionRow c : connections) {
            rows.add(set.pick(Arrays.asList(type, c.user(), c.database(), c.replication(), c.state(), c.addr(),
                    Cells.of(c.port()), c.localAddr(), Cells.of(c.localPort()), Cells.timestamp(c.connectTime()),
                    Cells.timestamp(c.requestTime()), Cells.seconds(c.waitMicros()), Cells.micros(c.waitMicros()),
                    Cells.flag(c.closeNeeded()), c.ptr(), c.link(), Cells.of(c.remotePid()), c.tls(),
                    c.applicationName(), Cells.of(c.preparedStatements()), Cells.of(c.id()),
                    c.tenant(), c.pinnedReason()), PGBOUNCER_COLUMNS));
        }
        return new ResultTable(set.pick(COLUMNS, PGBOUNCER_COLUMNS), rows);
    }
}
