package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.pgmux.server.WiredServer.Backend.BIND_COMPLETE;
import static io.pgmux.server.WiredServer.Backend.COPY_1;
import static io.pgmux.server.WiredServer.Backend.COPY_FAILED;
import static io.pgmux.server.WiredServer.Backend.COPY_IN;
import static io.pgmux.server.WiredServer.Backend.PARSE_COMPLETE;
import static io.pgmux.server.WiredServer.Backend.READY;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.PgError;
import io.pgmux.testing.ServerLinkAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sync and Flush sent into a COPY FROM STDIN (protocol docs, "COPY Operations": the backend ignores both in copy-in
 * mode), among them those the client sent before the CopyInResponse told pgmux a COPY had begun, when pgmux had
 * queued an answer for the Sync. No ReadyForQuery answers such a Sync; after a COPY begun by Execute the batch stays
 * open until a Sync sent after the COPY's end. Answers are written by hand as PostgreSQL 15 sends them.
 */
class SyncDuringCopyInTest {
    private static final byte[] INSERT_1 = Bytes.message('C', Bytes.of().cstring("INSERT 0 1").build());

    private static final byte[] BAD_ROW = Bytes.message('E', Bytes.of().int8('S').cstring("ERROR").int8('V')
            .cstring("ERROR").int8('C').cstring("22P02").int8('M')
            .cstring("invalid input syntax for type integer: \"x\"").int8(0).build());
    private static final byte[] EMPTY_QUERY = Bytes.hex("49 00000004");

    private final Link client = new Link();
    private final WiredServer wired = new WiredServer(client);
    private final EmbeddedChannel channel = wired.channel;
    private final ServerConnection server = wired.server;

    @AfterEach
    void releaseWrites() {
        wired.close();
    }

    private void request(String tags) {
        wired.request(tags);
    }

    private void answer(byte[]... messages) {
        wired.answer(messages);
    }

    @Test
    void aSyncSentBehindTheQueryBeforeItsCopyInResponseIsNotAnswered() {
        request("QdS");
        answer(COPY_IN);
        assertTrue(server.isCopyIn());
        request("c");
        answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary(), "the backend ignored the Sync: nothing is owed");
        assertFalse(server.owesClientReadyForQuery());
    }

    @Test
    void everySyncSentBehindTheQueryBeforeItsCopyInResponseIsIgnored() {
        request("QSdSdHS");
        answer(COPY_IN);
        request("dSc");
        answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aFlushSentBehindTheQueryOwesNothing() {
        request("QdH");
        answer(COPY_IN);
        request("Hc");
        answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAndTheCopyDoneSentBeforeTheCopyInResponseAreOneCopy() {
        request("QdSdSc");
        answer(COPY_IN);
        assertFalse(server.isCopyIn(), "the backend has read the CopyDone");
        answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    /**
     * A failed COPY's error does not say where the backend was when it failed (at the CopyFail, or on a row before
     * the Sync): pgmux asks.
     */
    @Test
    void aSyncBeforeTheCopyFailIsIgnoredToo() {
        request("QdS");
        answer(COPY_IN);
        request("f");
        answer(COPY_FAILED, READY);
        assertEquals(1, emptyQueriesSent());
        answer(EMPTY_QUERY, READY);
        assertEquals("GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void everySyncSentBehindAnExecuteBeforeItsCopyInResponseIsIgnored() {
        request("PBESdS");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertTrue(server.isCopyIn());
        request("dc");
        answer(COPY_1);
        assertFalse(server.isQuiet(), "the batch owes the Sync that comes after the COPY's end");
        assertFalse(server.owesClientReadyForQuery(), "no ReadyForQuery will come for the ignored Syncs");
        request("S");
        answer(READY);
        assertEquals("12GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAfterAnExecutesCopyEndedIsAnswered() {
        request("PBESdSdcS");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertFalse(server.isCopyIn());
        assertTrue(server.owesClientReadyForQuery(), "the Sync after the CopyDone ends the batch");
        answer(COPY_1, READY);
        assertEquals("12GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedSkipsToTheSyncAfterIt() {
        request("PBESd");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("SfS");
        answer(COPY_FAILED, READY);
        answer(EMPTY_QUERY, READY);
        assertEquals("12GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAfterTheRowThatFailedTheCopyIsAnswered() {
        request("Q");
        answer(COPY_IN);
        request("dSc");
        answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "whether the Sync is answered is asked behind it");
        assertFalse(server.isQuiet());
        answer(READY);
        assertFalse(server.isQuiet(), "the empty Query is still to be answered");
        answer(EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString(), "the Sync's ReadyForQuery, and nothing of pgmux's own query");
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncBeforeTheRowThatFailedTheCopyIsIgnored() {
        request("QdS");
        answer(COPY_IN);
        request("dc");
        answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent());
        answer(EMPTY_QUERY, READY);
        assertEquals("GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncSentWithAFailingCopyInOneWriteIsAnsweredIfTheBackendReadItAfterTheFailure() {
        request("QdSc");
        answer(COPY_IN, BAD_ROW, READY, READY);
        answer(EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRequestAnsweredAfterTheUnsureSyncsTellsTheRestWereIgnored() {
        request("Q");
        answer(COPY_IN);
        request("dSdSc");
        request("Q");
        answer(BAD_ROW, READY, READY);
        assertFalse(server.isQuiet());
        answer(EMPTY_QUERY, READY);
        assertEquals(0, emptyQueriesSent(), "the client's own Query tells what the backend did");
        assertEquals("GEZZIZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedOnARowEndsItsSkipAtTheFirstSyncSentAfterThatRow() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dSdcS");
        answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "asked once the Sync after the COPY's end is in");
        answer(READY);
        answer(EMPTY_QUERY, READY);
        assertEquals("12GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedBeforeAnySyncWasReadSkipsToTheSyncAfterItsEnd() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dcS");
        answer(BAD_ROW, READY);
        answer(EMPTY_QUERY, READY);
        assertEquals("12GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void noQueryOfPgmuxsOwnGoesInsideACopyDataStillPassingInParts() {
        request("Q");
        answer(COPY_IN);
        request("dS");
        client.insideMessage = true;
        answer(BAD_ROW, READY);
        assertEquals(0, emptyQueriesSent(), "the backend would read it as the rest of the CopyData");
        server.askWhetherSyncsAnswered();
        assertEquals(0, emptyQueriesSent());
        client.insideMessage = false;
        server.askWhetherSyncsAnswered();
        assertEquals(1, emptyQueriesSent(), "asked once the client's message is whole");
        server.askWhetherSyncsAnswered();
        assertEquals(0, emptyQueriesSent(), "asked once");
        answer(READY, EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aFlushSentIntoAnExecutesCopyOwesNoAnswer() {
        request("PBEHdH");
        assertTrue(server.owesFlushedAnswers());
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertFalse(server.owesFlushedAnswers(), "the backend ignored the Flush in COPY FROM STDIN");
        request("Hc");
        assertFalse(server.owesFlushedAnswers());
        request("H");
        assertTrue(server.owesFlushedAnswers(), "a Flush after the COPY's end asks for its CommandComplete");
        answer(COPY_1);
        assertFalse(server.owesFlushedAnswers());
    }

    @Test
    void aFlushSentAfterTheEndOfACopyEndedAheadAndARequestStands() {
        request("PBEdcPBEH");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertTrue(server.owesFlushedAnswers(), "the Flush came after the COPY's end and the next Parse Bind Execute");
        answer(COPY_1, PARSE_COMPLETE, BIND_COMPLETE);
        assertTrue(server.owesFlushedAnswers());
        answer(INSERT_1);
        assertFalse(server.owesFlushedAnswers());
    }

    @Test
    void aRequestOtherThanSyncRightAfterAnExecutesFailedCopyWithSyncsInItClosesTheServer() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dSdcBE");
        assertTrue(channel.isOpen());
        answer(BAD_ROW);
        assertFalse(channel.isOpen(), "whether the backend answers the Bind and Execute or skips them, nothing tells");
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
    }

    @Test
    void aRequestOtherThanSyncSentAfterAnExecutesCopyFailedWithSyncsInItClosesTheServer() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dSd");
        answer(BAD_ROW);
        request("c");
        assertTrue(channel.isOpen());
        request("PBES");
        assertFalse(channel.isOpen());
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
    }

    @Test
    void whatTheBackendSendsAfterPgmuxGaveItUpReachesNoOne() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dSdcBES");
        answer(BAD_ROW, READY);
        assertEquals("12GE", client.tags.toString(), "the ReadyForQuery read with the error is dropped");
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
        server.noteFromClient((byte) 'Q'); // a request still in the client's read: it goes nowhere
        server.noteFromClient((byte) 'S');
        assertFalse(server.isQuiet());
    }

    @Test
    void aReadyForQueryForASyncSentIntoAnExecutesFailedCopyEndsTheSkip() {
        request("PBES");
        answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        request("dSd");
        answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "the backend read a Sync: it skips no more, and may be asked");
        request("cPBES");
        assertTrue(channel.isOpen());
        answer(EMPTY_QUERY, READY, PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertEquals("12GEZ12G", client.tags.toString());
        assertTrue(server.isCopyIn());
    }

    /** Drains what was written to the backend; returns how many of those messages were empty Queries. */
    private int emptyQueriesSent() {
        channel.flushOutbound();
        int count = 0;
        for (ByteBuf sent = channel.readOutbound(); sent != null; sent = channel.readOutbound()) {
            while (sent.readableBytes() >= 5) {
                byte tag = sent.readByte();
                int length = sent.readInt();
                if (tag == 'Q' && length == 5 && sent.getByte(sent.readerIndex()) == 0) {
                    count++;
                }
                sent.skipBytes(length - 4);
            }
            sent.release();
        }
        return count;
    }

    /** The client side: the tags of the whole messages written to it. */
    private static final class Link extends ServerLinkAdapter {
        final StringBuilder tags = new StringBuilder();
        boolean insideMessage;
        PgError lost;

        @Override
        public void serverLost(PgError error) {
            lost = error;
        }

        @Override
        public boolean clientInsideMessage() {
            return insideMessage;
        }

        @Override
        public void serverMessage(ByteBuf run) {
            ByteBuf view = run.duplicate();
            while (view.readableBytes() >= 5) {
                tags.append((char) view.getByte(view.readerIndex()));
                view.skipBytes(Math.min(view.readableBytes(), view.getInt(view.readerIndex() + 1) + 1));
            }
            run.release();
        }
    }
}
