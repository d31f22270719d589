package io.pgmux.admin.show;

import static io.pgmux.protocol.backend.RowDescription.Field.text;

import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.List;

/** SHOW CONFIG: key, value, default, changeable (yes/no), all text, as PgBouncer 1.25. */
public final class ShowConfig {
    public static final List<Field> COLUMNS = List.of(text("key"), text("value"), text("default"),
            text("changeable"));

    private ShowConfig() {
    }

    public static ResultTable table(List<ConfigRow> settings) {
        List<List<String>> rows = new ArrayList<>(settings.size());
        for (ConfigRow each : settings) {
            rows.add(List.of(each.key(), each.value(), each.defaultValue(), Cells.yesNo(each.changeable())));
        }
        return new ResultTable(COLUMNS, rows);
    }
}
