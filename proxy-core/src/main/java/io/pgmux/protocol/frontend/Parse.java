package io.pgmux.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/** Parse: pgmux reads only the statement name, to tell unnamed statements from named ones. */
public final class Parse {
    private Parse() {
    }

    /**
     * Whether the Parse frame (tag and length included) names its statement. Reads without moving indexes and
     * without allocating: only the first byte of the name matters.
     */
    public static boolean hasStatementName(ByteBuf frame) {
        int nameStart = frame.readerIndex() + 5;
        return frame.writerIndex() > nameStart && frame.getByte(nameStart) != 0;
    }

    /** The statement name of a Parse frame, for error messages. */
    public static String statementName(ByteBuf frame) {
        int nameStart = frame.readerIndex() + 5;
        int end = frame.forEachByte(nameStart, frame.writerIndex() - nameStart, ByteProcessor.FIND_NUL);
        return end < 0 ? "" : frame.toString(nameStart, end - nameStart, java.nio.charset.StandardCharsets.UTF_8);
    }
}
