package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;

/** Tells the startup-phase packets apart by the int32 that follows their length. */
public final class StartupPackets {
    /** SSLRequest, GSSENCRequest and CancelRequest are 8 and 16 bytes long, length word included. */
    private static final int REQUEST_LENGTH = 8;
    private static final int CANCEL_REQUEST_LENGTH = 16;

    private StartupPackets() {
    }

    /**
     * Checks a packet's length word against its request code or protocol version, before its body is read, so
     * that a packet that cannot be valid is refused without waiting for (up to 10 kB of) body.
     *
     * @param length the packet's length word, its own four bytes included
     * @param code the int32 after it
     * @throws ProtocolException when no packet with this code has this length, or the code is neither a known
     *     request nor a protocol 3.x version
     */
    public static void checkHeader(int length, int code) {
        switch (code) {
            case SSLRequest.CODE:
                requireLength(length, REQUEST_LENGTH, "SSLRequest");
                return;
            case GSSENCRequest.CODE:
                requireLength(length, REQUEST_LENGTH, "GSSENCRequest");
                return;
            case CancelRequest.CODE:
                requireLength(length, CANCEL_REQUEST_LENGTH, "CancelRequest");
                return;
            default:
                if ((code >>> 16) != 3) {
                    throw unsupportedProtocol(code);
                }
        }
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
        checkHeader(body.readableBytes() + 8, code);
        switch (code) {
            case SSLRequest.CODE:
                return new SSLRequest();
            case GSSENCRequest.CODE:
                return new GSSENCRequest();
            case CancelRequest.CODE:
                return new CancelRequest(body.readInt(), body.readInt());
            default:
                return StartupMessage.decode(code, body);
        }
    }

    /**
     * PostgreSQL's answer to a protocol version it does not serve, and to a request code it does not expect
     * there (a request code reads as version 1234.x): FATAL 0A000 (ProcessStartupPacket).
     */
    public static ProtocolException unsupportedProtocol(int code) {
        return new ProtocolException(PgError.fatal(SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                + (code >>> 16) + "." + (code & 0xFFFF) + ": server supports 3.0 to 3.0"));
    }

    private static void requireLength(int length, int expected, String what) {
        if (length != expected) {
            throw new ProtocolException(what + " length: " + length + " (expected: " + expected + ")");
        }
    }
}
