package io.pgmux.admin.show;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.backend.CommandComplete;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.RowDescription;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A result set in text form: its columns and its rows, a null cell being SQL NULL. Encoded as one buffer holding
 * RowDescription, a DataRow per row and CommandComplete.
 */
public record ResultTable(List<Field> columns, List<List<String>> rows) {
    public ResultTable {
        columns = List.copyOf(columns);
        List<List<String>> copy = new ArrayList<>(rows.size());
        for (List<String> each : rows) {
            if (each.size() != columns.size()) {
                throw new IllegalArgumentException("a row of " + each.size() + " cells for " + columns.size()
                        + " columns");
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(each)));
        }
        rows = Collections.unmodifiableList(copy);
    }

    /** The column names, in order. */
    public List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (Field each : columns) {
            names.add(each.name());
        }
        return names;
    }

    /** The whole result: RowDescription, the DataRows, and CommandComplete with {@code tag}. */
    public ByteBuf encode(ByteBufAllocator alloc, String tag) {
        // A guess that fits small results at once; large ones (SHOW CLIENTS of thousands) grow as they are written.
        ByteBuf out = alloc.ioBuffer(Math.min(64 * 1024, 64 + 24 * columns.size() * (rows.size() + 1)));
        new RowDescription(columns).writeTo(out);
        for (List<String> each : rows) {
            new DataRow(each).writeTo(out);
        }
        new CommandComplete(tag).writeTo(out);
        return out;
    }
}
