package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;

/** EmptyQueryResponse: the answer, in place of CommandComplete, to a query string with no statement in it. */
public final class EmptyQueryResponse {
    private EmptyQueryResponse() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(5);
        writeTo(out);
        return out;
    }

    /** Appends the whole message to {@code out}. */
    public static void writeTo(ByteBuf out) {
        out.writeByte(BackendTag.EMPTY_QUERY_RESPONSE).writeInt(4);
    }
}
