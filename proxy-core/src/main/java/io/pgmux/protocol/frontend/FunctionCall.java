package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;

/** FunctionCall: the function's OID, its arguments and the result format. pgmux checks the layout only. */
public final class FunctionCall {
    private FunctionCall() {
    }

    /**
     * Checks the layout: int32 OID, argument formats and values as in Bind, int16 result format, nothing after.
     *
     * @throws io.pgmux.protocol.ProtocolException naming what PostgreSQL would find wrong
     */
    public static void validate(ByteBuf frame) {
        int at = Fields.after(frame, Fields.bodyStart(frame), 4, "FunctionCall");
        at = Fields.afterFormatsAndValues(frame, at, "FunctionCall");
        Fields.end(frame, Fields.after(frame, at, 2, "FunctionCall"), "FunctionCall");
    }
}
