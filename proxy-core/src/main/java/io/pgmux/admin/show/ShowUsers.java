package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.UserRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SHOW USERS: PgBouncer 1.25's 8 columns ("ssssiiii": pool_size and reserve_pool_size are text, empty when the
 * user sets none), then tenant.
 */
public final class ShowUsers {
    public static final List<Field> COLUMNS = List.of(
            text("name"), text("pool_size"), text("reserve_pool_size"), text("pool_mode"),
            int4("max_user_connections"), int4("current_connections"), int4("max_user_client_connections"),
            int4("current_client_connections"), text("tenant"));
    static final int PGBOUNCER_COLUMNS = 8;

    private ShowUsers() {
    }

    public static ResultTable table(List<UserRow> users, ColumnSet set) {
        List<List<String>> rows = new ArrayList<>(users.size());
        for (UserRow u : users) {
            rows.add(set.pick(Arrays.asList(u.name(), optional(u.poolSize()), optional(u.reservePoolSize()),
                    u.poolMode(), Cells.of(u.maxUserConnections()), Cells.of(u.currentConnections()),
                    Cells.of(u.maxUserClientConnections()), Cells.of(u.currentClientConnections()), u.tenant()),
                    PGBOUNCER_COLUMNS));
        }
        return new ResultTable(set.pick(COLUMNS, PGBOUNCER_COLUMNS), rows);
    }

    private static String optional(Integer value) {
        return value == null ? "" : Cells.of(value);
    }
}
