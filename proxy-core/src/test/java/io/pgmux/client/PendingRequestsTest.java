package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * A waiting client's kept messages are bounded by the memory they hold, not by their length: a tiny message that
 * ended its read keeps that whole read buffer, and every message costs its slice and queue slot.
 */
class PendingRequestsTest {
    /** A Sync as the framer hands on the message that ends a read: the read buffer itself, {@code capacity} large. */
    private static ByteBuf syncInReadBuffer(int capacity) {
        return Unpooled.directBuffer(capacity).writeBytes(new byte[] {'S', 0, 0, 0, 4});
    }

    @Test
    void tinyMessagesEachInAReadBufferOfItsOwnCountTheBuffers() {
        PendingRequests pending = new PendingRequests();
        int cost = 2048 + PendingRequests.MESSAGE_OVERHEAD;
        int fit = PendingRequests.MAX_BYTES / cost;
        try {
            for (int i = 0; i < fit; i++) {
                assertFalse(pending.add(syncInReadBuffer(2048)), "message " + i + " of " + fit + " fits");
            }
            assertTrue(pending.add(syncInReadBuffer(2048)), "one more passes the bound: about "
                    + PendingRequests.MAX_BYTES / 5 + " Syncs would by their length alone");
        } finally {
            pending.releaseAll();
        }
    }

    @Test
    void slicesOfOneReadCountTheirLengthAndWhatIsSentGivesItsShareBack() {
        PendingRequests pending = new PendingRequests();
        ByteBuf read = Unpooled.directBuffer(PendingRequests.MAX_BYTES).writeZero(PendingRequests.MAX_BYTES);
        int cost = 1000 + PendingRequests.MESSAGE_OVERHEAD;
        int fit = PendingRequests.MAX_BYTES / cost;
        try {
            for (int i = 0; i < fit; i++) {
                assertFalse(pending.add(read.retainedSlice(i * 1000, 1000)), "a slice counts its length alone");
            }
            assertTrue(pending.add(read.retainedSlice(fit * 1000, 1000)));
            assertTrue(pending.overLimit());
            for (ByteBuf each = pending.poll(); each != null; each = pending.poll()) {
                each.release();
            }
            assertFalse(pending.overLimit(), "sent on: nothing held");
            assertTrue(pending.isEmpty());
        } finally {
            pending.releaseAll();
            read.release();
        }
    }
}
