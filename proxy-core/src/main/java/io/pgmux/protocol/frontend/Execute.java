package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;

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
}
