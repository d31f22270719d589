package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.ProtocolException;

/** Tells the startup-phase packets apart by the int32 that follows their length. */
public final class StartupPackets {
    private StartupPackets() {
    }

    /**
     * Decodes one packet body (the bytes after the length word).
     *
     * @throws ProtocolException for an unknown request code or a malformed body
     */
    public static StartupPacket decode(ByteBuf body) {
        if (body.readableBytes() < 4) {
            throw new ProtocolException("startup packet length: " + (body.readableBytes() + 4) + " (expected: >= 8)");
        }
        int code = body.readInt();
        switch (code) {
            case SSLRequest.CODE:
                requireEmpty(body, "SSLRequest");
                return new SSLRequest();
            case GSSENCRequest.CODE:
                requireEmpty(body, "GSSENCRequest");
                return new GSSENCRequest();
            case CancelRequest.CODE:
                if (body.readableBytes() != 8) {
                    throw new ProtocolException("CancelRequest length: " + (body.readableBytes() + 8) + " (expected: 16)");
                }
                return new CancelRequest(body.readInt(), body.readInt());
            default:
                if ((code >>> 16) != 3) {
                    throw new ProtocolException("unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                            + ": pgmux serves protocol 3.0");
                }
                return StartupMessage.decode(code, body);
        }
    }

    private static void requireEmpty(ByteBuf body, String what) {
        if (body.isReadable()) {
            throw new ProtocolException(what + " length: " + (body.readableBytes() + 8) + " (expected: 8)");
        }
    }
}
