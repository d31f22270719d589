package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The protocol phases' moves: what each request and answer does to them, and the moves that are bugs. */
class ProtocolPhaseTest {
    @Test
    void aSyncEndsABatchOrASkipButNotACopy() {
        assertEquals(ProtocolPhase.READY, ProtocolPhase.EXTENDED.afterSync());
        assertEquals(ProtocolPhase.READY, ProtocolPhase.SKIPPING.afterSync());
        assertEquals(ProtocolPhase.COPY_IN, ProtocolPhase.COPY_IN.afterSync());
        assertEquals(ProtocolPhase.COPY_IN_EXTENDED, ProtocolPhase.COPY_IN_EXTENDED.afterSync());
    }

    @Test
    void aSimpleQueryEndsABatchUnlessTheBackendSkips() {
        assertEquals(ProtocolPhase.READY, ProtocolPhase.EXTENDED.afterSimpleRequest());
        assertEquals(ProtocolPhase.SKIPPING, ProtocolPhase.SKIPPING.afterSimpleRequest());
        assertEquals(ProtocolPhase.COPY_IN, ProtocolPhase.COPY_IN_EXTENDED.afterSimpleRequest());
    }

    @Test
    void aCopyBegunInABatchOwesItsSyncAfterwards() {
        assertEquals(ProtocolPhase.COPY_IN, ProtocolPhase.READY.copyStarted(false));
        assertEquals(ProtocolPhase.COPY_IN_EXTENDED, ProtocolPhase.READY.copyStarted(true));
        assertEquals(ProtocolPhase.COPY_IN_EXTENDED, ProtocolPhase.EXTENDED.copyStarted(false));
        assertEquals(ProtocolPhase.EXTENDED, ProtocolPhase.COPY_IN_EXTENDED.copyEnded());
        assertEquals(ProtocolPhase.READY, ProtocolPhase.COPY_IN.copyEnded());
        assertEquals(ProtocolPhase.EXTENDED, ProtocolPhase.EXTENDED.copyEnded(), "no COPY, nothing ends");
    }

    @Test
    void aCopyEndedAheadOfItsCopyInResponseIsNeverCopyIn() {
        assertEquals(ProtocolPhase.READY, ProtocolPhase.READY.copyEndedAhead(false, false));
        assertEquals(ProtocolPhase.EXTENDED, ProtocolPhase.READY.copyEndedAhead(true, false),
                "a Sync before the COPY's end was ignored: the Execute's batch owes one");
        assertEquals(ProtocolPhase.READY, ProtocolPhase.READY.copyEndedAhead(true, true),
                "a Sync after the COPY's end closes the batch");
        assertEquals(ProtocolPhase.EXTENDED, ProtocolPhase.EXTENDED.copyEndedAhead(true, false));
        for (ProtocolPhase from : EnumSet.of(ProtocolPhase.READY, ProtocolPhase.EXTENDED)) {
            for (boolean byExecute : new boolean[] {false, true}) {
                for (boolean requestsSince : new boolean[] {false, true}) {
                    ProtocolPhase to = from.copyEndedAhead(byExecute, requestsSince);
                    assertFalse(to.isCopyIn());
                    assertTrue(from.canMoveTo(to), from + " -> " + to);
                }
            }
        }
    }

    @Test
    void everyEventLeadsToALegalMoveFromEveryLoggedInPhase() {
        for (ProtocolPhase from : EnumSet.of(ProtocolPhase.READY, ProtocolPhase.EXTENDED, ProtocolPhase.SKIPPING,
                ProtocolPhase.COPY_IN, ProtocolPhase.COPY_IN_EXTENDED)) {
            assertTrue(from.canMoveTo(from.afterSync()), from + " after Sync");
            assertTrue(from.canMoveTo(from.afterSimpleRequest()), from + " after a Query");
            assertTrue(from.canMoveTo(from.afterExtendedRequest()), from + " after a Parse");
            assertTrue(from.canMoveTo(from.copyEnded()), from + " after the COPY");
        }
    }

    @Test
    void aLoginNeitherComesBackNorSkipsAhead() {
        Conversation conversation = new Conversation(7);
        assertEquals(ProtocolPhase.LOGIN, conversation.phase());
        assertThrows(IllegalStateException.class, () -> conversation.moveTo(ProtocolPhase.EXTENDED));
        conversation.moveTo(ProtocolPhase.READY);
        assertThrows(IllegalStateException.class, () -> conversation.moveTo(ProtocolPhase.LOGIN));
        assertThrows(IllegalStateException.class, () -> conversation.moveTo(ProtocolPhase.LOGIN_FAILED));
        assertFalse(ProtocolPhase.LOGIN_FAILED.canMoveTo(ProtocolPhase.READY));
        assertFalse(ProtocolPhase.SKIPPING.canMoveTo(ProtocolPhase.COPY_IN), "a skipping backend starts no COPY");
    }

    @Test
    void quietMeansNothingOwedAndNoBatchOpen() {
        Conversation conversation = new Conversation(7);
        conversation.moveTo(ProtocolPhase.READY);
        assertTrue(conversation.isQuiet());
        conversation.moveTo(ProtocolPhase.EXTENDED);
        assertFalse(conversation.isQuiet());
        conversation.moveTo(ProtocolPhase.READY);
        conversation.queue.forward(RequestType.SIMPLE);
        assertFalse(conversation.isQuiet());
    }
}
