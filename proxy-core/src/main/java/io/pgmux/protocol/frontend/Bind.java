package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/** Bind: pgmux reads the statement name and, for named statements, rewrites it to the name it prepared. */
public final class Bind {
    private Bind() {
    }

    /**
     * Checks the layout: portal and statement names, parameter format codes and values, result format codes,
     * nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        int at = Fields.afterCString(frame, Fields.bodyStart(frame), "Bind");
        at = Fields.afterCString(frame, at, "Bind");
        at = Fields.afterFormatsAndValues(frame, at, "Bind");
        int results = Fields.uint16(frame, at, "Bind");
        Fields.end(frame, Fields.after(frame, at + 2, results * 2, "Bind"), "Bind");
    }

    /**
     * Whether the Bind frame (tag and length included, already validated) binds a named prepared statement. Reads
     * without moving indexes and without allocating: with the unnamed portal (the usual case) two bytes, else the
     * portal name up to its NUL and one byte.
     */
    public static boolean hasStatementName(ByteBuf frame) {
        int portalStart = frame.readerIndex() + 5;
        int nameStart = frame.getByte(portalStart) == 0 ? portalStart + 1 : statementNameStart(frame);
        return frame.getByte(nameStart) != 0;
    }

    /** Where the statement name of a Bind frame starts: after the portal name and its NUL. */
    public static int statementNameStart(ByteBuf frame) {
        return Parse.endOfCString(frame, frame.readerIndex() + 5) + 1;
    }

    /** The index of the NUL that ends the statement name starting at {@code nameStart}. */
    public static int statementNameEnd(ByteBuf frame, int nameStart) {
        return Parse.endOfCString(frame, nameStart);
    }

    /**
     * The beginning of {@code frame} renamed to {@code statement}: type byte, the renamed message's length word,
     * the portal name and {@code statement}, each with its NUL. The renamed message is this followed, unchanged,
     * by the bytes of {@code frame} from {@code rest} (the byte after the old name's NUL) to its end: parameters
     * and result formats are never copied.
     */
    public static ByteBuf headWithStatementName(ByteBufAllocator alloc, ByteBuf frame, int rest, String statement) {
        int portalStart = frame.readerIndex() + 5;
        int portalEnd = Parse.endOfCString(frame, portalStart);
        ByteBuf out = alloc.ioBuffer(portalEnd - portalStart + statement.length() + 8);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.BIND);
        for (int i = portalStart; i <= portalEnd; i++) {
            // Byte by byte: a portal name is short (mostly empty), and a bulk copy between two direct buffers
            // would make a java.nio view of each per call.
            out.writeByte(frame.getByte(i));
        }
        PgBuffers.writeCString(out, statement);
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex + frame.writerIndex() - rest);
        return out;
    }

    public static String statementName(ByteBuf frame) {
        int portalEnd = Parse.endOfCString(frame, frame.readerIndex() + 5);
        return Parse.cStringAt(frame, portalEnd + 1);
    }

    /** A copy of the Bind frame naming {@code statement} instead; portal and parameters are kept as they are. */
    public static ByteBuf withStatementName(ByteBufAllocator alloc, ByteBuf frame, String statement) {
        int portalStart = frame.readerIndex() + 5;
        int portalEnd = Parse.endOfCString(frame, portalStart);
        int nameEnd = Parse.endOfCString(frame, portalEnd + 1);
        int restStart = nameEnd + 1;
        ByteBuf out = alloc.ioBuffer(frame.readableBytes() + statement.length());
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.BIND);
        out.writeBytes(frame, portalStart, portalEnd + 1 - portalStart);
        PgBuffers.writeCString(out, statement);
        out.writeBytes(frame, restStart, frame.writerIndex() - restStart);
        return PgBuffers.endMessage(out, lengthIndex);
    }

    /**
     * Builds a Bind of {@code statement} to {@code portal} with every parameter in text format (UTF-8) and every
     * result column in text format.
     */
    public static ByteBuf encodeText(ByteBufAllocator alloc, String portal, String statement,
                                     java.util.List<String> parameters) {
        ByteBuf out = PgBuffers.allocate(alloc, 64);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.BIND);
        PgBuffers.writeCString(out, portal);
        PgBuffers.writeCString(out, statement);
        out.writeShort(0); // no format codes: all parameters in text
        out.writeShort(parameters.size());
        for (String each : parameters) {
            byte[] value = each.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(value.length);
            out.writeBytes(value);
        }
        out.writeShort(0); // no format codes: all results in text
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
