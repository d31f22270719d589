package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.stats.PoolStats;

/**
 * What a pooled client's traffic adds to its pool's statistics, counted per read burst rather than per message,
 * and the one clock reading a burst of client messages shares. Confined to the client's event loop.
 */
final class ClientTraffic {
    private final PoolStats stats;
    /** When the current read burst was first looked at (0: not yet). */
    private long burstNanos;
    /** Bytes read from the client, and written to it, since they were last added to the statistics. */
    private long receivedBytes;
    private long sentBytes;

    ClientTraffic(PoolStats stats) {
        this.stats = stats;
    }

    /** System.nanoTime, read once per burst of client messages. */
    long burstNanos() {
        long now = burstNanos;
        if (now == 0) {
            now = System.nanoTime();
            burstNanos = now;
        }
        return now;
    }

    void received(ByteBuf bytes) {
        receivedBytes += bytes.readableBytes();
    }

    /** Bytes received that no buffer handed on carries (a message's beginning pgmux replaced). */
    void received(int bytes) {
        receivedBytes += bytes;
    }

    void sent(ByteBuf bytes) {
        sentBytes += bytes.readableBytes();
    }

    /** The client's read burst ended: the next message reads the clock again. */
    void clientBurstEnded() {
        burstNanos = 0;
        count();
    }

    /** Adds the bytes of the last bursts to the statistics. */
    void count() {
        if ((receivedBytes | sentBytes) != 0) {
            stats.addBytes(receivedBytes, sentBytes);
            receivedBytes = 0;
            sentBytes = 0;
        }
    }
}
