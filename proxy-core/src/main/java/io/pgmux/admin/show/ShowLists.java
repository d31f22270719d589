package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.ListCounts;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.List;

/**
 * SHOW LISTS: exactly two columns, list and items (the pgbouncer_exporter reads them by position), and PgBouncer
 * 1.25's rows in its order. Rows for what pgmux does not have (peer pools, its allocator's free lists, a DNS cache)
 * are 0.
 */
public final class ShowLists {
    public static final List<Field> COLUMNS = List.of(text("list"), int4("items"));
    public static final List<String> ROWS = List.of("databases", "users", "peers", "pools", "peer_pools",
            "free_clients", "used_clients", "login_clients", "free_servers", "used_servers", "dns_names",
            "dns_zones", "dns_queries", "dns_pending");

    private ShowLists() {
    }

    public static ResultTable table(ListCounts counts) {
        List<Integer> items = List.of(counts.databases(), counts.users(), counts.peers(), counts.pools(), 0, 0,
                counts.usedClients(), counts.loginClients(), 0, counts.usedServers(), 0, 0, 0, 0);
        List<List<String>> rows = new java.util.ArrayList<>(ROWS.size());
        for (int i = 0; i < ROWS.size(); i++) {
            rows.add(List.of(ROWS.get(i), Cells.of(items.get(i))));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
