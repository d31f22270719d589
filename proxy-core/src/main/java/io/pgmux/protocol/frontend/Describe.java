package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/**
 * Describe and Close share a layout: a target byte ('S' statement or 'P' portal) and a name. pgmux rewrites
 * statement names and builds Close for statements it evicts.
 */
public final class Describe {
    public static final byte STATEMENT = 'S';
    public static final byte PORTAL = 'P';

    private Describe() {
    }

    /** 'S' or 'P' of a Describe or Close frame. */
    public static byte target(ByteBuf frame) {
        return frame.getByte(frame.readerIndex() + 5);
    }

    /** The statement or portal name of a Describe or Close frame. */
    public static String name(ByteBuf frame) {
        return Parse.cStringAt(frame, frame.readerIndex() + 6);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, byte target, String name) {
        return encode(alloc, FrontendTag.DESCRIBE, target, name);
    }

    /** A Close message (same layout as Describe). */
    public static ByteBuf encodeClose(ByteBufAllocator alloc, byte target, String name) {
        return encode(alloc, FrontendTag.CLOSE, target, name);
    }

    private static ByteBuf encode(ByteBufAllocator alloc, byte tag, byte target, String name) {
        ByteBuf out = alloc.ioBuffer(name.length() + 8);
        int lengthIndex = PgBuffers.beginMessage(out, tag);
        out.writeByte(target);
        PgBuffers.writeCString(out, name);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
