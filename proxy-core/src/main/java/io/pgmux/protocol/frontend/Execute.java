package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgBuffers;

/** Execute: the portal name and a row limit. pgmux forwards it as it came, once its layout is known good. */
public final class Execute {
    private Execute() {
    }

    /**
     * Checks the layout: portal name, int32 row limit, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        int at = Fields.afterCString(frame, Fields.bodyStart(frame), "Execute");
        Fields.end(frame, Fields.after(frame, at, 4, "Execute"), "Execute");
    }

    /** Builds an Execute of {@code portal} returning at most {@code maxRows} rows (0: all). */
    public static ByteBuf encode(ByteBufAllocator alloc, String portal, int maxRows) {
        ByteBuf out = PgBuffers.allocate(alloc, portal.length() + 10);
        int lengthIndex = PgBuffers.beginMessage(out, FrontendTag.EXECUTE);
        PgBuffers.writeCString(out, portal);
        out.writeInt(maxRows);
        return PgBuffers.endMessage(out, lengthIndex);
    }
}
