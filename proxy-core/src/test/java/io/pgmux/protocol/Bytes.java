package io.pgmux.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Expected wire bytes written out by hand, readably: {@code Bytes.hex("52 00000008 00000000")} or
 * {@code Bytes.of().hex("51 0000000d").cstring("SELECT 1").build()}. Lengths are written as literals by the test,
 * never computed by the code under test. {@link #message} is the one place a length is computed (here, in the
 * test, from the spec's rule) for building input streams.
 */
public final class Bytes {
    /** Buffers up to this size are dumped whole on a mismatch; larger ones around the first difference. */
    private static final int FULL_DUMP_LIMIT = 1024;
    private static final int WINDOW = 64;

    private Bytes() {
    }

    /** Hex digits; whitespace, '_' and ':' are ignored, so bytes can be grouped as the message layout suggests. */
    public static byte[] hex(String hex) {
        String digits = hex.replaceAll("[\\s_:]", "");
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + hex);
        }
        byte[] result = new byte[digits.length() / 2];
        for (int i = 0; i < result.length; i++) {
            result[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return result;
    }

    public static Builder of() {
        return new Builder();
    }

    /** A typed message as the spec defines it: tag, int32 length counting itself and the body, the body. */
    public static byte[] message(char tag, byte[] body) {
        return of().int8(tag).int32(body.length + 4).bytes(body).build();
    }

    /** An untyped startup-phase packet: int32 length counting itself, then the body. */
    public static byte[] untyped(byte[] body) {
        return of().int32(body.length + 4).bytes(body).build();
    }

    public static byte[] concat(byte[]... parts) {
        Builder builder = of();
        for (byte[] each : parts) {
            builder.bytes(each);
        }
        return builder.build();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts the readable bytes of {@code actual} equal {@code expected}, without moving its indexes. */
    public static void assertBytes(byte[] expected, ByteBuf actual) {
        assertBytes(null, expected, actual);
    }

    public static void assertBytes(String what, byte[] expected, ByteBuf actual) {
        if (actual == null) {
            fail((what == null ? "" : what + ": ") + "expected a buffer of " + expected.length + " bytes, got null");
        }
        // One bulk copy, then compare arrays: element-wise reads would each be traced by the paranoid leak detector.
        byte[] got = ByteBufUtil.getBytes(actual);
        if (!Arrays.equals(expected, got)) {
            fail(mismatch(what, expected, got));
        }
    }

    /** {@link #assertBytes} and then releases {@code actual}, pass or fail. */
    public static void assertBytesAndRelease(byte[] expected, ByteBuf actual) {
        try {
            assertBytes(expected, actual);
        } finally {
            ReferenceCountUtil.release(actual);
        }
    }

    private static String mismatch(String what, byte[] expected, byte[] got) {
        int first = 0;
        while (first < expected.length && first < got.length && expected[first] == got[first]) {
            first++;
        }
        StringBuilder sb = new StringBuilder();
        if (what != null) {
            sb.append(what).append(": ");
        }
        sb.append("bytes differ (expected ").append(expected.length).append(" bytes, got ").append(got.length)
                .append("; first difference at offset ").append(first).append(")\n");
        sb.append("expected:\n").append(dump(expected, first)).append('\n');
        sb.append("actual:\n").append(dump(got, first));
        return sb.toString();
    }

    private static String dump(byte[] bytes, int around) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        if (bytes.length <= FULL_DUMP_LIMIT) {
            return ByteBufUtil.prettyHexDump(buf);
        }
        int from = Math.max(0, Math.min(around, bytes.length) - WINDOW);
        int to = Math.min(bytes.length, around + WINDOW);
        return "(bytes " + from + " to " + to + " of " + bytes.length + ")\n"
                + ByteBufUtil.prettyHexDump(buf, from, to - from);
    }

    /** Appends protocol primitives; every multi-byte integer is big-endian, as on the wire. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Builder hex(String hex) {
            return bytes(Bytes.hex(hex));
        }

        /** The string's UTF-8 bytes, no terminator. */
        public Builder ascii(String s) {
            return bytes(utf8(s));
        }

        /** The string's UTF-8 bytes and a NUL. */
        public Builder cstring(String s) {
            return ascii(s).int8(0);
        }

        public Builder int8(int value) {
            out.write(value);
            return this;
        }

        public Builder int16(int value) {
            return int8(value >>> 8).int8(value);
        }

        public Builder int32(int value) {
            return int8(value >>> 24).int8(value >>> 16).int8(value >>> 8).int8(value);
        }

        public Builder bytes(byte[] bytes) {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        public byte[] build() {
            return out.toByteArray();
        }

        /** An unpooled heap buffer over a copy of the bytes. */
        public ByteBuf buf() {
            return Unpooled.wrappedBuffer(build());
        }

        @Override
        public String toString() {
            return Arrays.toString(build());
        }
    }
}
