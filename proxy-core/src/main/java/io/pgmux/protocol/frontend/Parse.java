package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Parse: pgmux reads the statement name, and for named statements keeps the rest (query text and parameter
 * types) as the statement's identity, to prepare it under a name of its own on whichever server needs it.
 */
public final class Parse {
    private Parse() {
    }

    /**
     * Whether the Parse frame (tag and length included) names its statement. Reads without moving indexes and
     * without allocating: only the first byte of the name matters.
     */
    public static boolean hasStatementName(ByteBuf frame) {
        int nameStart = frame.readerIndex() + 5;
        return frame.writerIndex() > nameStart && frame.getByte(nameStart) != 0;
    }

    /** The statement name of a Parse frame. */
    public static String statementName(ByteBuf frame) {
        return cStringAt(frame, frame.readerIndex() + 5);
    }

    /** The bytes after the name: query text, its NUL, the parameter type count and OIDs. */
    public static byte[] definition(ByteBuf frame) {
        int nameEnd = endOfCString(frame, frame.readerIndex() + 5);
        return ByteBufUtil.getBytes(frame, nameEnd + 1, frame.writerIndex() - nameEnd - 1);
    }

    /** Where the query text of a Parse frame starts. */
    public static int queryStart(ByteBuf frame) {
        return endOfCString(frame, frame.readerIndex() + 5) + 1;
    }

    /** Where the query text of a Parse frame ends (its terminating NUL). */
    public static int queryEnd(ByteBuf frame) {
        return endOfCString(frame, queryStart(frame));
    }

    /** Where the query text ends, given where it starts. */
    public static int queryEnd(ByteBuf frame, int queryStart) {
        return endOfCString(frame, queryStart);
    }

    /** The query text of a Parse frame. */
    public static String query(ByteBuf frame) {
        int nameEnd = endOfCString(frame, frame.readerIndex() + 5);
        return cStringAt(frame, nameEnd + 1);
    }

    /**
     * Checks the layout: statement name, query text, int16 count of parameter type OIDs and the OIDs, nothing
     * after.
     *
     * @throws ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        int at = Fields.afterCString(frame, Fields.bodyStart(frame), "Parse");
        at = Fields.afterCString(frame, at, "Parse");
        int types = Fields.uint16(frame, at, "Parse");
        Fields.end(frame, Fields.after(frame, at + 2, types * 4, "Parse"), "Parse");
    }

    /** Builds a Parse of {@code definition} (as returned by {@link #definition}) under {@code name}. */
    public static ByteBuf encode(ByteBufAllocator alloc, String name, byte[] definition) {
        ByteBuf out = alloc.ioBuffer(definition.length + name.length() + 6);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.PARSE);
        PgBuffers.writeCString(out, name);
        out.writeBytes(definition);
        return PgBuffers.endMessage(out, lengthIndex);
    }

    static int endOfCString(ByteBuf frame, int start) {
        int end = frame.forEachByte(start, frame.writerIndex() - start, ByteProcessor.FIND_NUL);
        if (end < 0) {
            throw new ProtocolException("string is not NUL-terminated");
        }
        return end;
    }

    static String cStringAt(ByteBuf frame, int start) {
        int end = endOfCString(frame, start);
        return frame.toString(start, end - start, StandardCharsets.UTF_8);
    }
}
