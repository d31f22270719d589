package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.DatabaseRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** SHOW DATABASES: PgBouncer 1.25's 17 columns ("ssissiiiissiiiiii"). */
public final class ShowDatabases {
    public static final List<Field> COLUMNS = List.of(
            text("name"), text("host"), int4("port"), text("database"), text("force_user"), int4("pool_size"),
            int4("min_pool_size"), int4("reserve_pool_size"), int4("server_lifetime"), text("pool_mode"),
            text("load_balance_hosts"), int4("max_connections"), int4("current_connections"),
            int4("max_client_connections"), int4("current_client_connections"), int4("paused"),
            int4("disabled"));

    private ShowDatabases() {
    }

    public static ResultTable table(List<DatabaseRow> databases) {
        List<List<String>> rows = new ArrayList<>(databases.size());
        for (DatabaseRow d : databases) {
            rows.add(Arrays.asList(d.name(), d.host(), Cells.of(d.port()), d.database(), d.forceUser(),
                    Cells.of(d.poolSize()), Cells.of(d.minPoolSize()), Cells.of(d.reservePoolSize()),
                    Cells.of(d.serverLifetimeSeconds()), d.poolMode(), d.loadBalanceHosts(),
                    Cells.of(d.maxConnections()), Cells.of(d.currentConnections()),
                    Cells.of(d.maxClientConnections()), Cells.of(d.currentClientConnections()),
                    Cells.flag(d.paused()), Cells.flag(d.disabled())));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
