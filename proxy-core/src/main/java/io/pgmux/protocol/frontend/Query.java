package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.ProtocolException;

/** Query: a simple-protocol query string. pgmux builds these for its own statements (SET, DISCARD ALL). */
public final class Query {
    private Query() {
    }

    /** The query text of a Query frame (tag and length included). */
    public static String text(ByteBuf frame) {
        int start = frame.readerIndex() + 5;
        int end = frame.writerIndex() - 1;
        return end <= start ? "" : frame.toString(start, end - start, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The query text of a Query frame (tag and length included), checked as PostgreSQL checks it: the body is one
     * NUL-terminated string and nothing after it. Does not move the frame's indexes.
     *
     * @throws ProtocolException when the terminator is missing or bytes follow it
     */
    public static String checkedText(ByteBuf frame) {
        int start = frame.readerIndex() + 5;
        int end = frame.indexOf(start, frame.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new ProtocolException("Query string is not NUL-terminated");
        }
        if (end != frame.writerIndex() - 1) {
            throw new ProtocolException("Query has " + (frame.writerIndex() - 1 - end)
                    + " bytes after its query string");
        }
        return frame.toString(start, end - start, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, String sql) {
        ByteBuf out = alloc.ioBuffer(ByteBufUtil.utf8MaxBytes(sql) + 6);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.QUERY);
        PgBuffers.writeCString(out, sql);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
