package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.int4;
import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.PreparedRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.List;

/** SHOW PREPARED (pgmux's own): the statements prepared on servers in transaction mode. */
public final class ShowPrepared {
    public static final List<Field> COLUMNS = List.of(text("database"), text("user"), text("name"),
            text("statement"), int4("servers"), int4("clients"));

    private ShowPrepared() {
    }

    public static ResultTable table(List<PreparedRow> statements) {
        List<List<String>> rows = new ArrayList<>(statements.size());
        for (PreparedRow p : statements) {
            rows.add(List.of(p.database(), p.user(), p.name(), p.statement(), Cells.of(p.servers()),
                    Cells.of(p.clients())));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
