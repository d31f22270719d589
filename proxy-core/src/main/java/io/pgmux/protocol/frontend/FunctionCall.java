package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.ProtocolException;

/**
 * FunctionCall: calls a function by its OID, without SQL (the "fastpath" interface, libpq's PQfn). pgmux reads
 * only which function it calls, since some act on session state the way their SQL calls do.
 */
public final class FunctionCall {
    private FunctionCall() {
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
