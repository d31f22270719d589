package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.ProtocolException;

/**
 * Walks the body of a frontend message field by field, failing with PostgreSQL's own words for what is wrong
 * (the checks of its pqformat.c). Positions are absolute indexes into the frame; nothing is read twice and
 * nothing is allocated unless the message is malformed.
 */
final class Fields {
    private Fields() {
    }

    /** Where the body of a frame (tag and length included) starts. */
    static int bodyStart(ByteBuf frame) {
        return frame.readerIndex() + 5;
    }

    /** The position after the NUL-terminated string at {@code at}. */
    static int afterCString(ByteBuf frame, int at, String message) {
        int nul = at < frame.writerIndex() ? frame.indexOf(at, frame.writerIndex(), (byte) 0) : -1;
        if (nul < 0) {
            throw malformed(message, "invalid string in message");
        }
        return nul + 1;
    }

    /** The position after {@code count} bytes at {@code at}; a negative count is as short as PostgreSQL finds it. */
    static int after(ByteBuf frame, int at, int count, String message) {
        if (count < 0 || count > frame.writerIndex() - at) {
            throw malformed(message, "insufficient data left in message");
        }
        return at + count;
    }

    /** The unsigned int16 at {@code at}, which must be there. */
    static int uint16(ByteBuf frame, int at, String message) {
        after(frame, at, 2, message);
        return frame.getUnsignedShort(at);
    }

    /** The int32 at {@code at}, which must be there. */
    static int int32(ByteBuf frame, int at, String message) {
        after(frame, at, 4, message);
        return frame.getInt(at);
    }

    /** The byte at {@code at}, which must be there. */
    static byte int8(ByteBuf frame, int at, String message) {
        if (at >= frame.writerIndex()) {
            throw malformed(message, "no data left in message");
        }
        return frame.getByte(at);
    }

    /** The message must end at {@code at}. */
    static void end(ByteBuf frame, int at, String message) {
        if (at != frame.writerIndex()) {
            throw malformed(message, "invalid message format");
        }
    }

    /**
     * Skips an int16 count of int16 format codes, an int16 count of values (each an int32 length, -1 for NULL,
     * then that many bytes): the shared middle of Bind and FunctionCall.
     */
    static int afterFormatsAndValues(ByteBuf frame, int at, String message) {
        int formats = uint16(frame, at, message);
        at = after(frame, at + 2, formats * 2, message);
        int values = uint16(frame, at, message);
        at += 2;
        for (int i = 0; i < values; i++) {
            int length = int32(frame, at, message);
            at += 4;
            if (length != -1) {
                at = after(frame, at, length, message);
            }
        }
        return at;
    }

    static ProtocolException malformed(String message, String problem) {
        return new ProtocolException(message + ": " + problem);
    }
}
