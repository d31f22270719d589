package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/**
 * CopyFail: ends a COPY FROM STDIN as failed, with a reason the backend puts in its error. pgmux sends one for a
 * client that leaves in the middle of a COPY.
 */
public final class CopyFail {
    private CopyFail() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, String reason) {
        ByteBuf out = alloc.ioBuffer(ByteBufUtil.utf8MaxBytes(reason) + 6);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.COPY_FAIL);
        PgBuffers.writeCString(out, reason);
        return PgBuffers.endMessage(out, lengthIndex);
    }

    /**
     * Checks the layout: the reason as a string, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        Fields.end(frame, Fields.afterCString(frame, Fields.bodyStart(frame), "CopyFail"), "CopyFail");
    }
}
