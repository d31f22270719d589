package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;

/** ParseComplete and CloseComplete: bodiless answers pgmux gives in a server's place. */
public final class Completions {
    private Completions() {
    }

    public static ByteBuf parseComplete(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeByte(BackendTag.PARSE_COMPLETE).writeInt(4);
    }

    public static ByteBuf closeComplete(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeByte(BackendTag.CLOSE_COMPLETE).writeInt(4);
    }
}
