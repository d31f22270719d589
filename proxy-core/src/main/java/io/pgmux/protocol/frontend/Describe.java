package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/**
 * Describe: a target byte ('S' statement or 'P' portal) and a name, the layout {@link Close} shares. pgmux
 * rewrites statement names.
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

    /** Whether a Describe or Close frame names the unnamed statement or portal; reads one byte, in place. */
    public static boolean namesUnnamed(ByteBuf frame) {
        return frame.getByte(frame.readerIndex() + 6) == 0;
    }

    /** The statement or portal name of a Describe or Close frame. */
    public static String name(ByteBuf frame) {
        return Parse.cStringAt(frame, frame.readerIndex() + 6);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, byte target, String name) {
        return encode(alloc, FrontendTag.DESCRIBE, target, name);
    }

    /**
     * Checks the layout: 'S' or 'P', a name, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        validate(frame, "Describe", "DESCRIBE");
    }

    /** The checks of Describe and Close, in PostgreSQL's order (fields first, then the target byte). */
    static void validate(ByteBuf frame, String message, String upperCaseName) {
        int at = Fields.bodyStart(frame);
        byte target = Fields.int8(frame, at, message);
        Fields.end(frame, Fields.afterCString(frame, at + 1, message), message);
        if (target != STATEMENT && target != PORTAL) {
            throw Fields.malformed(message, "invalid " + upperCaseName + " message subtype " + (target & 0xFF));
        }
    }

    static ByteBuf encode(ByteBufAllocator alloc, byte tag, byte target, String name) {
        ByteBuf out = alloc.ioBuffer(name.length() + 8);
        int lengthIndex = PgBuffers.beginMessage(out, tag);
        out.writeByte(target);
        PgBuffers.writeCString(out, name);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
