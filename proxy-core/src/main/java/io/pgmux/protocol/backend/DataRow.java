package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DataRow: one row of a result. pgmux reads rows only of its own queries (the upstream's limits), in text
 * format; rows of clients' queries pass through undecoded.
 */
public record DataRow(List<String> values) {
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
        return new DataRow(Collections.unmodifiableList(values));
    }
}
