package io.pgmux.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgBuffers;
import io.pgmux.protocol.PgError;

/** ErrorResponse, and NoticeResponse which shares its field layout. */
public final class ErrorResponse {
    private ErrorResponse() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, PgError error) {
        return encode(alloc, BackendTag.ERROR_RESPONSE, error);
    }

    /** Encodes a NoticeResponse; pgmux sends these to clients that wait long for a server. */
    public static ByteBuf encodeNotice(ByteBufAllocator alloc, PgError notice) {
        return encode(alloc, BackendTag.NOTICE_RESPONSE, notice);
    }

    private static ByteBuf encode(ByteBufAllocator alloc, byte tag, PgError error) {
        ByteBuf out = alloc.ioBuffer(64 + error.message().length());
        int lengthIndex = PgBuffers.beginMessage(out, tag);
        field(out, 'S', error.severity());
        field(out, 'V', error.severity());
        field(out, 'C', error.sqlState());
        field(out, 'M', error.message());
        field(out, 'D', error.detail());
        field(out, 'H', error.hint());
        out.writeByte(0);
        return PgBuffers.endMessage(out, lengthIndex);
    }

    private static void field(ByteBuf out, char code, String value) {
        if (value != null) {
            out.writeByte(code);
            PgBuffers.writeCString(out, value);
        }
    }

    /**
     * A copy of the ErrorResponse or NoticeResponse {@code frame} (tag and length included) whose message field
     * ('M') reads {@code message}; every other field, those pgmux does not decode too (position, file, routine),
     * as it was. {@code frame} is left to the caller.
     */
    public static ByteBuf withMessage(ByteBufAllocator alloc, ByteBuf frame, String message) {
        ByteBuf body = frame.duplicate().skipBytes(5);
        ByteBuf out = alloc.ioBuffer(frame.readableBytes() + 16);
        int lengthIndex = PgBuffers.beginMessage(out, frame.getByte(frame.readerIndex()));
        while (body.isReadable()) {
            byte code = body.readByte();
            if (code == 0) {
                break;
            }
            String value = PgBuffers.readCString(body);
            field(out, (char) code, code == 'M' ? message : value);
        }
        out.writeByte(0);
        return PgBuffers.endMessage(out, lengthIndex);
    }

    /** Decodes the body (after tag and length) of an ErrorResponse or NoticeResponse. */
    public static PgError decode(ByteBuf body) {
        String severity = null;
        String localizedSeverity = PgError.ERROR;
        String sqlState = "XX000";
        String message = "";
        String detail = null;
        String hint = null;
        while (body.isReadable()) {
            byte code = body.readByte();
            if (code == 0) {
                break;
            }
            String value = PgBuffers.readCString(body);
            switch (code) {
                case 'V':
                    severity = value;
                    break;
                case 'S':
                    localizedSeverity = value;
                    break;
                case 'C':
                    sqlState = value;
                    break;
                case 'M':
                    message = value;
                    break;
                case 'D':
                    detail = value;
                    break;
                case 'H':
                    hint = value;
                    break;
                default:
                    break;
            }
        }
        // V (never localized) wins over S; servers before 9.6 send only S.
        return new PgError(severity != null ? severity : localizedSeverity, sqlState, message, detail, hint);
    }
}
