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
     * Checks the layout: the query text as a string, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        Fields.end(frame, Fields.afterCString(frame, Fields.bodyStart(frame), "Query"), "Query");
    }

    /**
     * The query text of a Query frame (tag and length included), after {@link #validate}. Does not move the
     * frame's indexes.
     *
     * @throws io.pgmux.protocol.ProtocolException when the terminator is missing or bytes follow it
     */
    public static String checkedText(ByteBuf frame) {
        validate(frame);
        int start = frame.readerIndex() + 5;
        return frame.toString(start, frame.writerIndex() - 1 - start, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, String sql) {
        ByteBuf out = alloc.ioBuffer(ByteBufUtil.utf8MaxBytes(sql) + 6);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.QUERY);
        PgBuffers.writeCString(out, sql);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
