package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.pgmux.server.WiredServer.Backend.BIND_COMPLETE;
import static io.pgmux.server.WiredServer.Backend.PARSE_COMPLETE;
import static io.pgmux.server.WiredServer.Backend.READY;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.testing.ServerLinkAdapter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A logged-in server's answers through its real pipeline (framer in forwarding mode, handler, router): what
 * reaches the linked client, in how many writes, whether it holds part of a message, and what the queue makes
 * of it. Answers are written by hand as
 * PostgreSQL sends them for pgbench's select-only script.
 */
class ResponseRouterTest {
    private static final byte[] ROW_DESCRIPTION = Bytes.message('T', Bytes.of().int16(1).cstring("abalance")
            .int32(0).int16(0).int32(23).int16(4).int32(-1).int16(0).build());
    private static final byte[] DATA_ROW = Bytes.message('D', Bytes.of().int16(1).int32(1).ascii("0").build());
    private static final byte[] BIG_ROW = Bytes.message('D', Bytes.of().int16(1).int32(50_000)
            .ascii("x".repeat(50_000)).build());
    private static final byte[] SELECT_1 = Bytes.message('C', Bytes.of().cstring("SELECT 1").build());
    private static final byte[] SET = Bytes.message('C', Bytes.of().cstring("SET").build());
    private static final byte[] ERROR = Bytes.message('E', Bytes.of().int8('S').cstring("ERROR").int8('V')
            .cstring("ERROR").int8('C').cstring("22012").int8('M').cstring("division by zero").int8(0).build());

    private final Writes client = new Writes();
    private final WiredServer wired = new WiredServer(client);
    private final EmbeddedChannel channel = wired.channel;
    private final ServerConnection server = wired.server;

    @AfterEach
    void releaseWrites() {
        wired.close();
    }

    private void request(char... tags) {
        wired.request(new String(tags));
    }

    private void answer(byte[]... reads) {
        wired.answerInReads(reads);
    }

    @Test
    void aSimpleQuerysAnswerIsOneWriteReadyForQueryIncluded() {
        request('Q');
        answer(Bytes.concat(ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY));
        assertEquals(List.of("TDCZ"), client.writes);
        assertEquals(1, client.boundaries);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExtendedBatchsAnswerIsOneWriteReadyForQueryIncluded() {
        request('P', 'B', 'D', 'E', 'S');
        answer(Bytes.concat(PARSE_COMPLETE, BIND_COMPLETE, ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY));
        assertEquals(List.of("12TDCZ"), client.writes);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void theAnswersToPgmuxsOwnQueryNeverReachTheClient() {
        List<String> done = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        server.sendInternalQuery("SHOW x", rows::add, error -> done.add(String.valueOf(error)));
        request('Q');
        answer(Bytes.concat(ROW_DESCRIPTION, DATA_ROW, SET, READY, ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY));
        assertEquals(List.of("null"), done);
        assertEquals(List.of(List.of("0")), rows);
        assertEquals(List.of("TDCZ"), client.writes, "only the client's answer, which follows pgmux's in the read");
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aLargeRowSplitAcrossReadsGoesOnInPartsAndIsNeverGathered() {
        byte[] bigRow = Bytes.message('D', Bytes.of().int16(1).int32(100_000).ascii("x".repeat(100_000)).build());
        byte[] all = Bytes.concat(ROW_DESCRIPTION, bigRow, SELECT_1, READY);
        request('Q');
        int step = 8192;
        for (int from = 0; from < all.length; from += step) {
            channel.writeInbound(Unpooled.wrappedBuffer(all, from, Math.min(step, all.length - from)));
            assertTrue(wired.framer.carriedBytes() < READY.length, "held " + wired.framer.carriedBytes());
        }
        assertEquals(all.length, client.bytes, "every byte went to the client, in one write per read");
        assertEquals((all.length + step - 1) / step, client.runs);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anErrorInABatchFailsTheRestUpToSync() {
        List<Boolean> outcome = new ArrayList<>();
        request('P');
        server.sendTracked(Unpooled.buffer(5).writeByte('P').writeInt(4), outcome::add);
        request('B', 'E', 'S');
        answer(Bytes.concat(PARSE_COMPLETE, ERROR, READY));
        assertEquals(List.of(false), outcome);
        assertEquals(List.of("1E", "Z"), client.writes,
                "the error goes with the ParseComplete; the tracked Parse's ReadyForQuery comes whole");
        assertTrue(server.isAtBoundary());
    }

    /**
     * The unnamed Parse that drivers send with every query is tracked (pgmux notes what the server holds): its
     * ParseComplete still goes with the rest of the answer in one write, and its outcome learns of the success.
     */
    @Test
    void aTrackedParsesCompleteGoesInTheRunAndTellsItsOutcome() {
        List<Boolean> outcome = new ArrayList<>();
        server.sendTracked(Unpooled.buffer(5).writeByte('P').writeInt(4), outcome::add);
        request('B', 'D', 'E', 'S');
        answer(Bytes.concat(PARSE_COMPLETE, BIND_COMPLETE, ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY));
        assertEquals(List.of(true), outcome);
        assertEquals(List.of("12TDCZ"), client.writes);
        assertTrue(server.isAtBoundary());
    }

    /** A Parse pgmux slipped in ahead of the client's Bind: its ParseComplete is pgmux's, never the client's. */
    @Test
    void aSlippedInParsesCompleteIsSwallowedAndTheRestPasses() {
        List<Boolean> outcome = new ArrayList<>();
        server.inject(Unpooled.buffer(5).writeByte('P').writeInt(4), outcome::add);
        request('B', 'E', 'S');
        answer(Bytes.concat(PARSE_COMPLETE, BIND_COMPLETE, DATA_ROW, SELECT_1, READY));
        assertEquals(List.of(true), outcome);
        assertEquals(List.of("2DCZ"), client.writes);
        assertTrue(server.isAtBoundary());
    }

    /**
     * A row that spans reads passes in parts: between two parts the client holds half a message, and the server
     * says so, so that nothing of pgmux's own is written to the client there.
     */
    @Test
    void theClientIsInsideARowFromItsFirstPartToItsLast() {
        request('Q');
        answer(ROW_DESCRIPTION);
        assertFalse(server.isInsideAnswer(), "a whole RowDescription");
        answer(Arrays.copyOf(BIG_ROW, 3));
        assertFalse(server.isInsideAnswer(), "nothing of the row went on: its header is not complete");
        answer(Arrays.copyOfRange(BIG_ROW, 3, 1000), Arrays.copyOfRange(BIG_ROW, 1000, BIG_ROW.length - 1));
        assertTrue(server.isInsideAnswer(), "one byte of the row is still to come");
        answer(Bytes.concat(new byte[] {BIG_ROW[BIG_ROW.length - 1]}, SELECT_1, READY));
        assertFalse(server.isInsideAnswer());
        assertTrue(server.isAtBoundary());
        assertEquals(ROW_DESCRIPTION.length + BIG_ROW.length + SELECT_1.length + READY.length, client.bytes);
    }

    /** A backend gone in the middle of a row: an ErrorResponse behind the row's first part would be read as row data. */
    @Test
    void aBackendGoneInsideARowEndsTheClientWithoutAnError() {
        request('Q');
        answer(Bytes.concat(ROW_DESCRIPTION, Arrays.copyOf(BIG_ROW, 1000)));
        channel.close();
        assertEquals(Collections.singletonList(null), client.lost);
    }

    @Test
    void aBackendGoneBetweenMessagesEndsTheClientWithConnectionFailure() {
        request('Q');
        answer(ROW_DESCRIPTION);
        channel.close();
        assertEquals(1, client.lost.size());
        assertEquals(SqlState.CONNECTION_FAILURE, client.lost.get(0).sqlState());
    }

    /** The client side: what it is written, one entry per write, as the tags of the messages in it. */
    private static final class Writes extends ServerLinkAdapter {
        final List<String> writes = new ArrayList<>();
        long bytes;
        int runs;
        int boundaries;
        /** How the server was lost: null for an end without an error. */
        final List<PgError> lost = new ArrayList<>();

        @Override
        public void serverMessage(ByteBuf run) {
            bytes += run.readableBytes();
            runs++;
            StringBuilder tags = new StringBuilder();
            // Tags of the whole messages that start in this write (a part of a message adds none).
            ByteBuf view = run.duplicate();
            while (view.readableBytes() >= 5) {
                int length = view.getInt(view.readerIndex() + 1);
                if (view.readableBytes() < length + 1) {
                    if (length > 1000) {
                        break;
                    }
                }
                tags.append((char) view.getByte(view.readerIndex()));
                view.skipBytes(Math.min(view.readableBytes(), length + 1));
            }
            if (tags.length() > 0) {
                writes.add(tags.toString());
            }
            run.release();
        }

        @Override
        public void serverAtBoundary() {
            boundaries++;
        }

        @Override
        public void serverLost(PgError error) {
            lost.add(error);
        }
    }
}
