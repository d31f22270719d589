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

import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A COPY FROM STDIN whose end (CopyDone or CopyFail) the client sent in the same write as the request that began
 * it: the backend reads that end before pgmux reads its CopyInResponse, so the conversation never enters COPY FROM
 * STDIN, the client is not told it did, and what follows is owed as on any request. Answers are written by hand as
 * PostgreSQL 15 sends them for each pipeline.
 */
class CopyEndedAheadTest {
    private static final byte[] ROW_DESCRIPTION = Bytes.message('T', Bytes.of().int16(1).cstring("x")
            .int32(0).int16(0).int32(23).int16(4).int32(-1).int16(0).build());
    private static final byte[] DATA_ROW = Bytes.message('D', Bytes.of().int16(1).int32(1).ascii("1").build());
    private static final byte[] SELECT_1 = Bytes.message('C', Bytes.of().cstring("SELECT 1").build());

    private final Link client = new Link();
    private final WiredServer wired = new WiredServer(client);
    private final ServerConnection server = wired.server;

    @AfterEach
    void releaseWrites() {
        wired.close();
    }

    @Test
    void aCopyDoneSentWithTheQueryLeavesTheBackendOutOfCopyIn() {
        wired.request("Qdc");
        wired.answer(COPY_IN);
        assertFalse(server.isCopyIn(), "the backend has read the CopyDone");
        assertEquals("E", client.copies.toString(), "the client is told the COPY began, and ended already");
        assertTrue(server.owesClientReadyForQuery(), "the Query still ends with its ReadyForQuery");
        wired.answer(COPY_1, READY);
        assertEquals("GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aQueryPipelinedBehindTheCopyDoneIsAnsweredInTurn() {
        wired.request("QdcQ");
        wired.answer(COPY_IN, COPY_1, READY);
        assertFalse(server.isQuiet());
        assertTrue(server.owesClientReadyForQuery(), "the second Query is still owed");
        wired.answer(ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY);
        assertEquals("GCZTDCZ", client.tags.toString());
        assertEquals("E", client.copies.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aCopyFailSentWithTheQueryFailsTheQuery() {
        wired.request("Qdf");
        wired.answer(COPY_IN);
        assertFalse(server.isCopyIn());
        wired.answer(COPY_FAILED, READY);
        assertEquals("GEZ", client.tags.toString());
        assertEquals("E", client.copies.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anExecutesCopyEndedBeforeItsSyncEndsWithThatSyncsReadyForQuery() {
        wired.request("PBEdcS");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN);
        assertFalse(server.isCopyIn());
        assertTrue(server.owesClientReadyForQuery(), "the Sync came after the COPY's end: the backend answers it");
        wired.answer(COPY_1, READY);
        assertEquals("12GCZ", client.tags.toString());
        assertEquals("E", client.copies.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aSyncSentBetweenTheExecuteAndTheCopysEndIsIgnoredAndTheBatchStaysOpen() {
        wired.request("PBESdc");
        wired.answer(PARSE_COMPLETE, BIND_COMPLETE, COPY_IN, COPY_1);
        assertFalse(server.isCopyIn());
        assertFalse(server.isQuiet(), "the backend ignored the Sync in COPY FROM STDIN: the batch owes one");
        assertFalse(server.owesClientReadyForQuery(), "no ReadyForQuery will come for the ignored Sync");
        wired.request("S");
        wired.answer(READY);
        assertEquals("12GCZ", client.tags.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void severalCopiesInOneWriteEachEndWithTheirOwnAnswers() {
        wired.request("QdcQdfQdc");
        wired.answer(COPY_IN, COPY_1, READY, COPY_IN, COPY_FAILED, READY, COPY_IN);
        assertFalse(server.isCopyIn());
        wired.answer(COPY_1, READY);
        assertEquals("GCZGEZGCZ", client.tags.toString());
        assertEquals("EEE", client.copies.toString());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aCopyWhoseEndIsStillToComeIsEnteredAsBefore() {
        wired.request("Qd");
        wired.answer(COPY_IN);
        assertTrue(server.isCopyIn());
        assertEquals("W", client.copies.toString());
        wired.request("c");
        wired.answer(COPY_1, READY);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aCopyDoneWithNoCopyToEndLeavesNoMarkForTheNextCopy() {
        wired.request("Qc");
        wired.answer(ROW_DESCRIPTION, DATA_ROW, SELECT_1, READY);
        assertTrue(server.isAtBoundary());
        wired.request("Qd");
        wired.answer(COPY_IN);
        assertTrue(server.isCopyIn(), "the stray CopyDone went with the Query it followed");
        wired.request("c");
        wired.answer(COPY_1, READY);
        assertTrue(server.isAtBoundary());
    }

    /** The client side: the tags of the whole messages written to it, and what it was told of each COPY. */
    private final class Link extends WiredServer.TagsSeen {
        /** One letter per COPY begun: W, the backend waits for COPY data; E, it had the COPY's end already. */
        final StringBuilder copies = new StringBuilder();

        @Override
        public void serverCopyInStarted() {
            copies.append(server.isCopyIn() ? 'W' : 'E');
        }
    }
}
