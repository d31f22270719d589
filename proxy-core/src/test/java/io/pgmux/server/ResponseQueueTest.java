package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue's entries: a request type and an action, each action with its own payload, kept in order. */
class ResponseQueueTest {
    private final ResponseQueue queue = new ResponseQueue();

    @Test
    void entriesComeOutInOrderWithTheirTypeActionAndPayload() {
        Outcome tracked = ok -> { };
        Outcome swallowed = ok -> { };
        InternalQuery internal = new InternalQuery(null, error -> { });
        ByteBuf error = Unpooled.buffer(1).writeByte('E');
        queue.forward(RequestType.EXTENDED);
        queue.track(RequestType.SIMPLE, tracked);
        queue.swallow(swallowed);
        queue.internal(internal);
        queue.replace(error);
        queue.forward(RequestType.SYNC);
        assertEquals(6, queue.size());

        assertHead(RequestType.EXTENDED, ResponseAction.FORWARD);
        queue.pop();
        assertHead(RequestType.SIMPLE, ResponseAction.TRACK);
        assertSame(tracked, queue.headOutcome());
        queue.pop();
        assertHead(RequestType.EXTENDED, ResponseAction.SWALLOW);
        assertSame(swallowed, queue.headOutcome());
        queue.pop();
        assertHead(RequestType.SIMPLE, ResponseAction.INTERNAL);
        assertSame(internal, queue.headInternal());
        queue.pop();
        assertHead(RequestType.EXTENDED, ResponseAction.REPLACE);
        assertSame(error, queue.takeReplacement());
        queue.pop();
        assertEquals(1, error.refCnt(), "a replacement taken belongs to the taker");
        error.release();
        assertHead(RequestType.SYNC, ResponseAction.FORWARD);
        queue.pop();
        assertTrue(queue.isEmpty());
    }

    @Test
    void aPayloadIsReadOnlyFromTheActionThatCarriesIt() {
        queue.forward(RequestType.SIMPLE);
        assertThrows(IllegalStateException.class, queue::headOutcome);
        assertThrows(IllegalStateException.class, queue::headInternal);
        assertThrows(IllegalStateException.class, queue::takeReplacement);
    }

    @Test
    void aReplacementNobodyTookIsReleasedWithItsEntry() {
        ByteBuf error = Unpooled.buffer(1).writeByte('E');
        queue.replace(error);
        queue.pop();
        assertEquals(0, error.refCnt());
    }

    @Test
    void theFailureMarkBelongsToTheHeadAlone() {
        queue.track(RequestType.SIMPLE, ok -> { });
        queue.forward(RequestType.SIMPLE);
        assertFalse(queue.headFailed());
        queue.markHeadFailed();
        assertTrue(queue.headFailed());
        queue.pop();
        assertFalse(queue.headFailed(), "the next request starts unmarked");
    }

    @Test
    void growsPastItsFirstCapacityAndWrapsAroundKeepingOrderAndPayloads() {
        List<Outcome> outcomes = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 40; i++) {
                Outcome each = ok -> { };
                outcomes.add(each);
                queue.track(i % 2 == 0 ? RequestType.EXTENDED : RequestType.SIMPLE, each);
            }
            for (int i = 0; i < 40; i++) {
                assertEquals(i % 2 == 0 ? RequestType.EXTENDED : RequestType.SIMPLE, queue.headType());
                assertSame(outcomes.get(round * 40 + i), queue.headOutcome(), "round " + round + ", entry " + i);
                queue.pop();
            }
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void aCopyEndMarksTheNewestEntryAndIsTakenOnceFromTheHeadOn() {
        assertThrows(IllegalStateException.class, queue::markCopyEndAhead, "nothing queued to mark");
        queue.forward(RequestType.SIMPLE);
        queue.markCopyEndAhead();
        queue.forward(RequestType.SIMPLE);
        queue.markCopyEndAhead();
        queue.markCopyEndAhead();
        assertEquals(0, queue.takeCopyEndAhead());
        assertEquals(1, queue.takeCopyEndAhead());
        assertEquals(1, queue.takeCopyEndAhead());
        assertEquals(-1, queue.takeCopyEndAhead());
        queue.markCopyEndAhead();
        queue.pop();
        assertEquals(0, queue.takeCopyEndAhead(), "the second entry's mark, now at the head");
        queue.forward(RequestType.SYNC);
        queue.markCopyEndAhead();
        queue.pop();
        queue.pop();
        queue.forward(RequestType.SIMPLE);
        assertEquals(-1, queue.takeCopyEndAhead(), "a mark goes with its entry");
    }

    @Test
    void syncsUpToTheGivenEntryGoAndTheirMarksMoveToTheEntryBefore() {
        Outcome behind = ok -> { };
        queue.forward(RequestType.EXTENDED);
        queue.forward(RequestType.SYNC);
        queue.forward(RequestType.SYNC);
        queue.markCopyEndAhead();
        queue.track(RequestType.SIMPLE, behind);
        queue.forward(RequestType.SYNC);
        assertEquals(2, queue.removeSyncsAfterHead(2));
        assertEquals(3, queue.size());
        assertEquals(0, queue.takeCopyEndAhead(), "the removed Sync's mark, on the entry before it");
        assertHead(RequestType.EXTENDED, ResponseAction.FORWARD);
        queue.pop();
        assertHead(RequestType.SIMPLE, ResponseAction.TRACK);
        assertSame(behind, queue.headOutcome());
        queue.pop();
        assertHead(RequestType.SYNC, ResponseAction.FORWARD);
        assertEquals(0, queue.removeSyncsAfterHead(5), "the head itself is never removed");
    }

    @Test
    void syncsSentIntoACopyAreIgnoredWhenItSucceedsAndInDoubtWhenItFailed() {
        queue.forward(RequestType.SIMPLE);
        queue.syncsSentIntoCopy(2);
        assertTrue(queue.syncsInDoubt());
        queue.copySucceeded();
        queue.pop();
        queue.copyRequestDone();
        assertFalse(queue.syncsInDoubt(), "the backend read them all in COPY FROM STDIN");
        queue.forward(RequestType.SIMPLE);
        queue.syncsSentIntoCopy(2);
        assertEquals(0, queue.unsureSyncs(), "not while the COPY's request still awaits its answers");
        queue.pop();
        queue.copyRequestDone();
        assertEquals(2, queue.unsureSyncs());
        queue.unsureSyncAnswered();
        assertEquals(1, queue.unsureSyncs());
        queue.unsureSyncsIgnored();
        assertFalse(queue.syncsInDoubt());
        assertThrows(IllegalStateException.class, queue::unsureSyncAnswered, "none is waiting");
    }

    @Test
    void marksSurviveGrowing() {
        for (int i = 0; i < 10; i++) {
            queue.forward(RequestType.SIMPLE);
        }
        queue.markCopyEndAhead();
        for (int i = 0; i < 40; i++) {
            queue.forward(RequestType.SIMPLE);
        }
        assertEquals(9, queue.takeCopyEndAhead());
    }

    @Test
    void aClientIsOwedAReadyForQueryOnlyByItsOwnQuerySyncOrFunctionCall() {
        assertFalse(queue.clientAwaitsReadyForQuery(), "nothing queued");
        queue.internal(new InternalQuery(null, error -> { }));
        queue.forward(RequestType.EXTENDED);
        queue.swallow(ok -> { });
        assertFalse(queue.clientAwaitsReadyForQuery(), "pgmux's own query and a batch with no Sync");
        queue.forward(RequestType.SYNC);
        assertTrue(queue.clientAwaitsReadyForQuery(), "the batch's Sync");
        queue.pop();
        queue.pop();
        queue.pop();
        queue.pop();
        queue.track(RequestType.SIMPLE, ok -> { });
        assertTrue(queue.clientAwaitsReadyForQuery(), "a tracked simple Query");
    }

    private void assertHead(RequestType type, ResponseAction action) {
        assertEquals(type, queue.headType());
        assertEquals(action, queue.headAction());
    }
}
