package io.pgmux.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/** Reading and writing the protocol's primitive types: NUL-terminated strings and length-prefixed frames. */
public final class PgBuffers {
    private PgBuffers() {
    }

    /** Reads a NUL-terminated UTF-8 string, failing with a protocol error when the terminator is missing. */
    public static String readCString(ByteBuf in) {
        int end = in.forEachByte(ByteProcessor.FIND_NUL);
        if (end < 0) {
            throw new ProtocolException("string is not NUL-terminated");
        }
        String result = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
        in.readerIndex(end + 1);
        return result;
    }

    public static void writeCString(ByteBuf out, String value) {
        out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeByte(0);
    }

    /** Starts a typed message; pass the returned index to {@link #endMessage} once the body is written. */
    public static int beginMessage(ByteBuf out, byte tag) {
        out.writeByte(tag);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /** Starts an untyped startup-phase packet (StartupMessage, CancelRequest, SSLRequest ...). */
    public static int beginUntypedMessage(ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /** Back-patches the length of a message started at {@code lengthIndex}; the length counts itself. */
    public static ByteBuf endMessage(ByteBuf out, int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex);
        return out;
    }

    /** A buffer for a small message pgmux builds itself. */
    public static ByteBuf allocate(ByteBufAllocator alloc, int estimate) {
        return alloc.ioBuffer(estimate);
    }
}
