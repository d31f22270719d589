package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.PeerRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * SHOW PEERS: PgBouncer 1.25's columns (peer_id, host, port, pool_size), one row per entry of {@code peers}, this
 * process's own included, by peer id. No rows without peering.
 */
public final class ShowPeers {
    public static final List<Field> COLUMNS = List.of(int4("peer_id"), text("host"), int4("port"),
            int4("pool_size"));

    private ShowPeers() {
    }

    public static ResultTable table(List<PeerRow> peers) {
        List<List<String>> rows = new ArrayList<>(peers.size());
        for (PeerRow p : peers) {
            rows.add(List.of(Cells.of(p.peerId()), p.host(), Cells.of(p.port()), Cells.of(p.poolSize())));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
