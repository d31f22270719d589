package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * A waiting client's kept messages are bounded by the memory they hold, not by their length: a tiny message that
 * ended its read keeps that whole read buffer, and every message costs its slice and queue slot. A cancel drops the
 * first request message by message, also out of a run of several requests kept together.
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

    /** P, B, E with an empty body each, and S when {@code synced}: the shape is all a cancel reads. */
    private static byte[] batch(boolean synced) {
        ByteBuf bytes = Unpooled.buffer();
        for (char tag : (synced ? "PBES" : "PBE").toCharArray()) {
            bytes.writeByte(tag).writeInt(4);
        }
        byte[] array = new byte[bytes.readableBytes()];
        bytes.readBytes(array);
        return array;
    }

    @Test
    void aCancelDropsTheFirstBatchOfARunAndKeepsTheSecond() {
        PendingRequests pending = new PendingRequests();
        byte[] first = batch(true);
        byte[] second = batch(true);
        pending.add(Unpooled.buffer().writeBytes(first).writeBytes(second));
        try {
            assertEquals(PendingRequests.Cancelled.UP_TO_READY, pending.cancelFirst());
            ByteBuf left = pending.poll();
            assertArrayEquals(second, io.netty.buffer.ByteBufUtil.getBytes(left));
            assertFalse(PendingRequests.isOneMessage(left));
            left.release();
            assertTrue(pending.isEmpty());
            assertFalse(pending.overLimit());
        } finally {
            pending.releaseAll();
        }
    }

    @Test
    void aCancelOfARunWithoutSyncGoesOnIntoTheNextEntryUpToItsSync() {
        PendingRequests pending = new PendingRequests();
        ByteBuf run = Unpooled.buffer().writeBytes(batch(false));
        ByteBuf sync = syncInReadBuffer(16);
        ByteBuf query = Unpooled.buffer().writeByte('Q').writeInt(5).writeByte(0);
        pending.add(run);
        pending.add(sync);
        pending.add(query);
        try {
            assertEquals(PendingRequests.Cancelled.UP_TO_READY, pending.cancelFirst());
            assertEquals(0, run.refCnt(), "the run dropped whole");
            assertEquals(0, sync.refCnt());
            assertEquals(query, pending.poll(), "the next request stays");
            query.release();
        } finally {
            pending.releaseAll();
        }
    }

    @Test
    void aCancelOfARunWhoseSyncHasNotArrivedSkipsUntilIt() {
        PendingRequests pending = new PendingRequests();
        pending.add(Unpooled.buffer().writeBytes(batch(false)));
        assertEquals(PendingRequests.Cancelled.UNTIL_SYNC, pending.cancelFirst());
        assertTrue(pending.isEmpty());
        assertFalse(pending.overLimit());
    }
}
