package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;

/**
 * Close: a target byte ('S' statement or 'P' portal) and a name, the layout of Describe. pgmux reads statement
 * names and builds Close for statements it evicts or replaces.
 */
public final class Close {
    private Close() {
    }

    /** 'S' or 'P' of a Close frame. */
    public static byte target(ByteBuf frame) {
        return Describe.target(frame);
    }

    /** The statement or portal name of a Close frame. */
    public static String name(ByteBuf frame) {
        return Describe.name(frame);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, byte target, String name) {
        return Describe.encode(alloc, FrontendTag.CLOSE, target, name);
    }

    /**
     * Checks the layout: 'S' or 'P', a name, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        Describe.validate(frame, "Close", "CLOSE");
    }
}
