package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.List;

/** SHOW VERSION: exactly one text column, {@code version} (the pgbouncer_exporter insists on both). */
public final class ShowVersion {
    public static final List<Field> COLUMNS = List.of(text("version"));

    private ShowVersion() {
    }

    public static ResultTable table(String version) {
        return new ResultTable(COLUMNS, List.of(List.of(version)));
    }
}
