package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import java.util.Objects;

/** CommandComplete: a statement finished; the tag names it, e.g. {@code SHOW} or {@code SET}. */
public record CommandComplete(String tag) {
    public CommandComplete {
        Objects.requireNonNull(tag, "tag");
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(ByteBufUtil.utf8MaxBytes(tag) + 6);
        writeTo(out);
        return out;
    }

    /** Appends the whole message (tag byte and length included) to {@code out}. */
    public void writeTo(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, BackendTag.COMMAND_COMPLETE);
        PgBuffers.writeCString(out, tag);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
