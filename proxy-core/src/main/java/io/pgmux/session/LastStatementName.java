package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The statement name a client used last, kept as text and as its bytes: a client that binds the same prepared
 * statement over and over (pgbench -M prepared, a driver's hot query) has its name read where it lies in each
 * message and compared with these bytes, with no String made per message.
 */
final class LastStatementName {
    private String name = "";
    private byte[] bytes = new byte[0];

    /** The name at {@code [start, end)} of {@code buffer} (UTF-8, as the client sent it). */
    String read(ByteBuf buffer, int start, int end) {
        int length = end - start;
        if (length != bytes.length || !sameBytes(buffer, start)) {
            name = buffer.toString(start, length, StandardCharsets.UTF_8);
            bytes = new byte[length];
            buffer.getBytes(start, bytes);
        }
        return name;
    }

    /** The name read last ("" before the first). */
    String name() {
        return name;
    }

    private boolean sameBytes(ByteBuf buffer, int start) {
        for (int i = 0; i < bytes.length; i++) {
            if (buffer.getByte(start + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
