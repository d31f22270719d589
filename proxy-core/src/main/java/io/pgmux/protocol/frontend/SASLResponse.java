package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/** SASLResponse: a later message of the SASL exchange (the client-final message for SCRAM). */
public final class SASLResponse {
    private SASLResponse() {
    }

    public static byte[] decode(ByteBuf body) {
        return ByteBufUtil.getBytes(body);
    }

    public static ByteBuf encode(ByteBufAllocator alloc, byte[] data) {
        ByteBuf out = alloc.ioBuffer(data.length + 5);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.PASSWORD);
        out.writeBytes(data);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
