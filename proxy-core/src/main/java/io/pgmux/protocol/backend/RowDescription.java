package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.util.List;
import java.util.Objects;

/**
 * RowDescription: the columns of the rows that follow. pgmux builds it only for results it produces itself (the
 * admin console), always in text format and with no table behind a column, and reads it only where it is a client
 * of that console itself ({@code pgmux status}); see the protocol docs, section "Message Formats".
 */
public record RowDescription(List<Field> fields) {
    public RowDescription {
        fields = List.copyOf(fields);
    }

    /**
     * One column: its name and type as {@code pg_type} knows it ({@code typeOid}, {@code typeSize}: -1 for
     * variable length). The table OID and attribute number are 0 and the type modifier -1, as for an expression.
     */
    public record Field(String name, int typeOid, int typeSize) {
        public static final int TEXT_OID = 25;
        public static final int INT4_OID = 23;
        public static final int INT8_OID = 20;
        public static final int NUMERIC_OID = 1700;

        public Field {
            Objects.requireNonNull(name, "name");
        }

        public static Field text(String name) {
            return new Field(name, TEXT_OID, -1);
        }

        public static Field int4(String name) {
            return new Field(name, INT4_OID, 4);
        }

        public static Field int8(String name) {
            return new Field(name, INT8_OID, 8);
        }

        public static Field numeric(String name) {
            return new Field(name, NUMERIC_OID, -1);
        }
    }

    /** Decodes the body (after type and length): each column's name, type OID and size; the rest is skipped. */
    public static RowDescription decode(ByteBuf body) {
        int count = body.readUnsignedShort();
        List<Field> fields = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = PgBuffers.readCString(body);
            body.skipBytes(6);    // table OID, attribute number
            int typeOid = body.readInt();
            int typeSize = body.readShort();
            body.skipBytes(6);    // type modifier, format
            fields.add(new Field(name, typeOid, typeSize));
        }
        return new RowDescription(fields);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(estimatedSize());
        writeTo(out);
        return out;
    }

    /** Appends the whole message (tag and length included) to {@code out}. */
    public void writeTo(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.ROW_DESCRIPTION);
        out.writeShort(fields.size());
        for (Field each : fields) {
            PgBuffers.writeCString(out, each.name());
            out.writeInt(0);      // table OID: none
            out.writeShort(0);    // attribute number: none
            out.writeInt(each.typeOid());
            out.writeShort(each.typeSize());
            out.writeInt(-1);     // type modifier: none
            out.writeShort(0);    // format: text
        }
        PgBuffers.endMessage(out, lengthIndex);
    }

    private int estimatedSize() {
        int size = 7;
        for (Field each : fields) {
            size += ByteBufUtil.utf8MaxBytes(each.name()) + 19;
        }
        return size;
    }
}
