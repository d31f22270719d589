package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.ProtocolException;

/** SASLInitialResponse: the chosen mechanism and the client-first message. */
public record SASLInitialResponse(String mechanism, byte[] data) {
    public static SASLInitialResponse decode(ByteBuf body) {
        String mechanism = PgBuffers.readCString(body);
        if (body.readableBytes() < 4) {
            throw new ProtocolException("SASLInitialResponse has no data length");
        }
        int length = body.readInt();
        if (length < 0 || length != body.readableBytes()) {
            throw new ProtocolException("SASLInitialResponse data length: " + length
                    + " (expected: " + body.readableBytes() + ")");
        }
        byte[] data = new byte[length];
        body.readBytes(data);
        return new SASLInitialResponse(mechanism, data);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(data.length + mechanism.length() + 16);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.PASSWORD);
        PgBuffers.writeCString(out, mechanism);
        out.writeInt(data.length);
        out.writeBytes(data);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
