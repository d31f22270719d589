package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;

/** Sync: ends an extended-protocol batch. pgmux sends one after the CopyFail of a COPY started by Execute. */
public final class Sync {
    private Sync() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeByte(FrontendTag.SYNC).writeInt(4);
    }
}
