package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;

/** ParseComplete: the bodiless answer pgmux gives in a server's place to a Parse of a statement it knows. */
public final class Completions {
    private Completions() {
    }

    public static ByteBuf parseComplete(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeByte(BackendTag.PARSE_COMPLETE).writeInt(4);
    }
}
