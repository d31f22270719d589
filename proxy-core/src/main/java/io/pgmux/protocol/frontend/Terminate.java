package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;

/** Terminate: pgmux sends it to a server before closing the connection, so the backend exits cleanly. */
public final class Terminate {
    private Terminate() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeByte(FrontendTag.TERMINATE).writeInt(4);
    }
}
