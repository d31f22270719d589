package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.PgBuffers;

/** CancelRequest: sent on a fresh connection, naming the session to cancel by its BackendKeyData. */
public record CancelRequest(int processId, int secretKey) implements StartupPacket {
    public static final int CODE = 80877102;

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(16);
        int lengthIndex = PgBuffers.beginUntypedMessage(out);
        out.writeInt(CODE);
        out.writeInt(processId);
        out.writeInt(secretKey);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
