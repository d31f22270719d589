package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.ProtocolException;

/** BackendKeyData: the process id and secret a client must quote in a CancelRequest. */
public record BackendKeyData(int processId, int secretKey) {
    public static BackendKeyData decode(ByteBuf body) {
        if (body.readableBytes() != 8) {
            throw new ProtocolException("BackendKeyData length: " + (body.readableBytes() + 4) + " (expected: 12)");
        }
        return new BackendKeyData(body.readInt(), body.readInt());
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(13);
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.BACKEND_KEY_DATA);
        out.writeInt(processId);
        out.writeInt(secretKey);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
