package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.ProtocolException;

/**
 * FunctionCall: calls a function by its OID, without SQL (the "fastpath" interface, libpq's PQfn). pgmux checks
 * the layout and reads only which function it calls, since some act on session state the way their SQL calls do.
 */
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

    /**
     * The OID of the function a FunctionCall frame (tag and length included) calls.
     *
     * @throws ProtocolException when the message is too short to hold one
     */
    public static int functionOid(ByteBuf frame) {
        if (frame.readableBytes() < 9) {
            throw new ProtocolException("FunctionCall message too short for a function OID");
        }
        return frame.getInt(frame.readerIndex() + 5);
    }
}
