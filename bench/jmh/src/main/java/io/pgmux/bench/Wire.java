package io.pgmux.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Protocol messages as plain bytes, written out by hand rather than with the proxy's own encoders, so that the
 * input of a benchmark does not depend on the code it measures.
 */
public final class Wire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    private int lengthAt = -1;

    private Wire() {
    }

    /** A typed message: tag, then the int32 length filled in by {@link #end()}. */
    public static Wire message(char tag) {
        Wire w = new Wire();
        w.out.write(tag);
        w.lengthAt = w.out.size();
        w.int32(0);
        return w;
    }

    /** An untyped startup-phase packet. */
    public static Wire packet() {
        Wire w = new Wire();
        w.lengthAt = 0;
        w.int32(0);
        return w;
    }

    public Wire int16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public Wire int32(int v) {
        int16(v >>> 16);
        return int16(v);
    }

    public Wire cstring(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    public Wire bytes(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public Wire byte1(char c) {
        out.write(c);
        return this;
    }

    public byte[] end() {
        byte[] result = out.toByteArray();
        int length = result.length - lengthAt;
        result[lengthAt] = (byte) (length >>> 24);
        result[lengthAt + 1] = (byte) (length >>> 16);
        result[lengthAt + 2] = (byte) (length >>> 8);
        result[lengthAt + 3] = (byte) length;
        return result;
    }

    /** Several messages back to back, as they arrive in one read. */
    public static byte[] concat(byte[]... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] each : messages) {
            all.writeBytes(each);
        }
        return all.toByteArray();
    }

    /** The type bytes of a burst, in order: what the benchmarks check their traffic against. */
    public static String tags(byte[] burst) {
        StringBuilder result = new StringBuilder();
        int[] bounds = bounds(burst);
        for (int i = 0; i < bounds.length - 1; i++) {
            result.append((char) burst[bounds[i]]);
        }
        return result.toString();
    }

    /** Where each message of a burst starts, plus the burst's length: message i is [bounds[i], bounds[i + 1]). */
    public static int[] bounds(byte[] burst) {
        int[] result = new int[burst.length / 5 + 1];
        int count = 0;
        int at = 0;
        while (at < burst.length) {
            result[count++] = at;
            int length = ((burst[at + 1] & 0xFF) << 24) | ((burst[at + 2] & 0xFF) << 16)
                    | ((burst[at + 3] & 0xFF) << 8) | (burst[at + 4] & 0xFF);
            at += 1 + length;
        }
        result[count++] = burst.length;
        return java.util.Arrays.copyOf(result, count);
    }
}
