package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.TransactionStatus;

/** ReadyForQuery: the server finished a request cycle; its status byte drives transaction pooling. */
public final class ReadyForQuery {
    /** Length of the whole frame: tag, int32 length, status byte. */
    public static final int FRAME_LENGTH = 6;

    private ReadyForQuery() {
    }

    /** Reads the status of a ReadyForQuery frame (tag and length included) without moving its indexes. */
    public static TransactionStatus status(ByteBuf frame) {
        if (frame.readableBytes() != FRAME_LENGTH) {
            throw new ProtocolException("ReadyForQuery length: " + (frame.readableBytes() - 1) + " (expected: 5)");
        }
        return TransactionStatus.fromCode(frame.getByte(frame.readerIndex() + 5));
    }

    public static ByteBuf encode(ByteBufAllocator alloc, TransactionStatus status) {
        return alloc.ioBuffer(FRAME_LENGTH).writeByte(BackendTag.READY_FOR_QUERY).writeInt(5).writeByte(status.code());
    }
}
