package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DataRow: one row of a result, in text format; a null value is SQL NULL. pgmux reads rows only of its own
 * queries (the upstream's limits) and builds them only for its own results (the admin console); rows of clients'
 * queries pass through undecoded.
 */
public record DataRow(List<String> values) {
    public DataRow {
        // List.copyOf refuses nulls, and a null here is a NULL column.
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** Decodes the body (after type and length); a NULL column becomes null. */
    public static DataRow decode(ByteBuf body) {
        int columns = body.readUnsignedShort();
        List<String> values = new ArrayList<>(columns);
        for (int i = 0; i < columns; i++) {
            int length = body.readInt();
            if (length < 0) {
                values.add(null);
            } else {
                values.add(body.readCharSequence(length, StandardCharsets.UTF_8).toString());
            }
        }
        return new DataRow(values);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        int size = 7;
        for (String each : values) {
            size += 4 + (each == null ? 0 : ByteBufUtil.utf8MaxBytes(each));
        }
        ByteBuf out = alloc.ioBuffer(size);
        writeTo(out);
        return out;
    }

    /** Appends the whole message (tag and length included) to {@code out}. */
    public void writeTo(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.DATA_ROW);
        out.writeShort(values.size());
        for (String each : values) {
            if (each == null) {
                out.writeInt(-1);
            } else {
                int valueLengthIndex = out.writerIndex();
                out.writeInt(0);
                int written = out.writeCharSequence(each, StandardCharsets.UTF_8);
                out.setInt(valueLengthIndex, written);
            }
        }
        PgBuffers.endMessage(out, lengthIndex);
    }
}
