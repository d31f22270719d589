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

    @Test
    void aSyncSentBehindTheQueryBeforeItsCopyInResponseIsNotAnswered() {
        wired.request("QdS");
        wired.answer(COPY_IN);
        assertTrue(server.isCopyIn());
        wired.request("c");
        wired.answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary(), "the backend ignored the Sync: nothing is owed");
        assertFalse(server.owesClientReadyForQuery());
    }

    @Test
    void everySyncSentBehindTheQueryBeforeItsCopyInResponseIsIgnored() {
        wired.request("QSdSdHS");
        wired.answer(COPY_IN);
        wired.request("dSc");
        wired.answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aFlushSentBehindTheQueryOwesNothing() {
        wired.request("QdH");
        wired.answer(COPY_IN);
        wired.request("Hc");
        wired.answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAndTheCopyDoneSentBeforeTheCopyInResponseAreOneCopy() {
        wired.request("QdSdSc");
        wired.answer(COPY_IN);
        assertFalse(server.isCopyIn(), "the backend has read the CopyDone");
        wired.answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    /**
     * A failed COPY's error does not say where the backend was when it failed (at the CopyFail, or on a row before
     * the Sync): pgmux asks.
     */
    @Test
    void aSyncBeforeTheCopyFailIsIgnoredToo() {
        wired.request("QdS");
        wired.answer(COPY_IN);
        wired.request("f");
        wired.answer(COPY_FAILED, READY);
        assertEquals(1, emptyQueriesSent());
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void everySyncSentBehindAnExecuteBeforeItsCopyInResponseIsIgnored() {
        wired.request("PBESdS");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertTrue(server.isCopyIn());
        wired.request("dc");
        wired.answer(COPY_1);
        assertFalse(server.isQuiet(), "the batch owes the Sync that comes after the COPY's end");
        assertFalse(server.owesClientReadyForQuery(), "no ReadyForQuery will come for the ignored Syncs");
        wired.request("S");
        wired.answer(READY);
        assertEquals("12GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAfterAnExecutesCopyEndedIsAnswered() {
        wired.request("PBESdSdcS");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertFalse(server.isCopyIn());
        assertTrue(server.owesClientReadyForQuery(), "the Sync after the CopyDone ends the batch");
        wired.answer(COPY_1, READY);
        assertEquals("12GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedSkipsToTheSyncAfterIt() {
        wired.request("PBESd");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("SfS");
        wired.answer(COPY_FAILED, READY);
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("12GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncAfterTheRowThatFailedTheCopyIsAnswered() {
        wired.request("Q");
        wired.answer(COPY_IN);
        wired.request("dSc");
        wired.answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "whether the Sync is answered is asked behind it");
        assertFalse(server.isQuiet());
        wired.answer(READY);
        assertFalse(server.isQuiet(), "the empty Query is still to be answered");
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString(), "the Sync's ReadyForQuery, and nothing of pgmux's own query");
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncBeforeTheRowThatFailedTheCopyIsIgnored() {
        wired.request("QdS");
        wired.answer(COPY_IN);
        wired.request("dc");
        wired.answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent());
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncSentWithAFailingCopyInOneWriteIsAnsweredIfTheBackendReadItAfterTheFailure() {
        wired.request("QdSc");
        wired.answer(COPY_IN, BAD_ROW, READY, READY);
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRequestAnsweredAfterTheUnsureSyncsTellsTheRestWereIgnored() {
        wired.request("Q");
        wired.answer(COPY_IN);
        wired.request("dSdSc");
        wired.request("Q");
        wired.answer(BAD_ROW, READY, READY);
        assertFalse(server.isQuiet());
        wired.answer(EMPTY_QUERY, READY);
        assertEquals(0, emptyQueriesSent(), "the client's own Query tells what the backend did");
        assertEquals("GEZZIZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedOnARowEndsItsSkipAtTheFirstSyncSentAfterThatRow() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dSdcS");
        wired.answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "asked once the Sync after the COPY's end is in");
        wired.answer(READY);
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("12GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyFailedBeforeAnySyncWasReadSkipsToTheSyncAfterItsEnd() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dcS");
        wired.answer(BAD_ROW, READY);
        wired.answer(EMPTY_QUERY, READY);
        assertEquals("12GEZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void noQueryOfPgmuxsOwnGoesInsideACopyDataStillPassingInParts() {
        wired.request("Q");
        wired.answer(COPY_IN);
        wired.request("dS");
        client.insideMessage = true;
        wired.answer(BAD_ROW, READY);
        assertEquals(0, emptyQueriesSent(), "the backend would read it as the rest of the CopyData");
        server.askWhetherSyncsAnswered();
        assertEquals(0, emptyQueriesSent());
        client.insideMessage = false;
        server.askWhetherSyncsAnswered();
        assertEquals(1, emptyQueriesSent(), "asked once the client's message is whole");
        server.askWhetherSyncsAnswered();
        assertEquals(0, emptyQueriesSent(), "asked once");
        wired.answer(READY, EMPTY_QUERY, READY);
        assertEquals("GEZZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRequestOtherThanSyncRightAfterAnExecutesFailedCopyWithSyncsInItClosesTheServer() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dSdcBE");
        assertTrue(channel.isOpen());
        wired.answer(BAD_ROW);
        assertFalse(channel.isOpen(), "whether the backend answers the Bind and Execute or skips them, nothing tells");
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
    }

    @Test
    void aRequestOtherThanSyncSentAfterAnExecutesCopyFailedWithSyncsInItClosesTheServer() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dSd");
        wired.answer(BAD_ROW);
        wired.request("c");
        assertTrue(channel.isOpen());
        wired.request("PBES");
        assertFalse(channel.isOpen());
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
    }

    @Test
    void whatTheBackendSendsAfterPgmuxGaveItUpReachesNoOne() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dSdcBES");
        wired.answer(BAD_ROW, READY);
        assertEquals("12GE", client.tags.toString(), "the ReadyForQuery read with the error is dropped");
        assertEquals(Conversation.SKIP_END_UNKNOWN, client.lost);
        server.noteFromClient((byte) 'Q'); // a request still in the client's read: it goes nowhere
        server.noteFromClient((byte) 'S');
        assertFalse(server.isQuiet());
    }

    @Test
    void aReadyForQueryForASyncSentIntoAnExecutesFailedCopyEndsTheSkip() {
        wired.request("PBES");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        wired.request("dSd");
        wired.answer(BAD_ROW, READY);
        assertEquals(1, emptyQueriesSent(), "the backend read a Sync: it skips no more, and may be asked");
        wired.request("cPBES");
        assertTrue(channel.isOpen());
        wired.answer(EMPTY_QUERY, READY, PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
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
    private static final class Link extends WiredServer.TagsSeen {
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
    }
}
