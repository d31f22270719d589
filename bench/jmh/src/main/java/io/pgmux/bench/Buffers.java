package io.pgmux.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.pgmux.testing.TestChannel;

/** Buffer chores shared by the benchmarks. */
public final class Buffers {
    private Buffers() {
    }

    /**
     * A pooled direct buffer holding {@code bytes}: what a socket read hands the pipeline. Production channels
     * use the default allocator too, so this draws from the same pool. The bytes go in a long at a time because
     * writeBytes(byte[]) on the adaptive allocator's buffers allocates a ByteBuffer view per call, which an
     * epoll read (writing through the memory address) does not: it would be charged to the proxy.
     */
    public static ByteBuf read(ByteBufAllocator alloc, byte[] bytes) {
        ByteBuf buf = alloc.directBuffer(bytes.length);
        int i = 0;
        for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
            buf.writeLong(longAt(bytes, i));
        }
        for (; i < bytes.length; i++) {
            buf.writeByte(bytes[i]);
        }
        return buf;
    }

    private static long longAt(byte[] bytes, int at) {
        long result = 0;
        for (int k = 0; k < Long.BYTES; k++) {
            result = (result << 8) | (bytes[at + k] & 0xFF);
        }
        return result;
    }

    /**
     * Releases everything written to {@code channel} since the last call, as a socket write would once the bytes
     * are out; returns how many bytes went out, for the benchmark to consume.
     */
    static int drainOutbound(TestChannel channel) {
        int bytes = 0;
        Object each;
        while ((each = channel.readOutbound()) != null) {
            if (each instanceof ByteBuf) {
                bytes += ((ByteBuf) each).readableBytes();
            }
            ReferenceCountUtil.release(each);
        }
        return bytes;
    }

    /** Like {@link #drainOutbound} but keeps the bytes, for checking what a setup exchange produced. */
    static byte[] takeOutbound(TestChannel channel) {
        ByteBuf all = channel.alloc().heapBuffer();
        try {
            Object each;
            while ((each = channel.readOutbound()) != null) {
                try {
                    all.writeBytes((ByteBuf) each);
                } finally {
                    ReferenceCountUtil.release(each);
                }
            }
            byte[] result = new byte[all.readableBytes()];
            all.readBytes(result);
            return result;
        } finally {
            all.release();
        }
    }
}
