package io.pgmux.client;

import io.netty.buffer.ByteBuf;

/**
 * Byte-level checks on SQL text that let the forward path decide, without decoding or allocating, that a query
 * cannot be one of the few commands pgmux must understand. ASCII case-insensitive; a false positive only costs
 * a closer look.
 */
final class SqlScan {
    private SqlScan() {
    }

    /** Whether the first word (after white space) is {@code word} (lower-case ASCII). */
    static boolean firstWordIs(ByteBuf buf, int start, int end, String word) {
        int i = start;
        while (i < end && isSpace(buf.getByte(i))) {
            i++;
        }
        if (end - i < word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (lower(buf.getByte(i + k)) != word.charAt(k)) {
                return false;
            }
        }
        int after = i + word.length();
        return after == end || !isWordByte(buf.getByte(after));
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f';
    }

    private static boolean isWordByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b < 0;
    }
}
