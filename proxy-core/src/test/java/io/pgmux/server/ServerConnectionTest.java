package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.Describe;
import io.pgmux.testing.ServerLinkAdapter;
import io.pgmux.testing.UnpooledSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a server connection expects from its backend, request by request, and when it says the server can be
 * released. The backend's answers are written by hand as PostgreSQL sends them (protocol docs, "Extended Query":
 * after an error, every message up to Sync is ignored).
 */
class ServerConnectionTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ServerConnection server = new ServerConnection(1,
            new UpstreamTarget("127.0.0.1", 5432, "db", "user", null, Map.of()), new UnpooledSlot(), 10);
    private final Link link = new Link();

    ServerConnectionTest() {
        server.attachChannel(channel);
        server.assumeLoggedIn();
        server.link(link);
    }

    @AfterEach
    void releaseWrites() {
        channel.flushOutbound();
        channel.finishAndReleaseAll();
    }

    private void client(char... tags) {
        for (char tag : tags) {
            server.sendFromClient(message(tag));
        }
    }

    private void backend(char... tags) {
        for (char tag : tags) {
            switch (tag) {
                case 'E' -> server.frameReceived(ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT, PgError.error("22012", "division by zero")));
                case 'Z' -> server.frameReceived(ReadyForQuery.encode(UnpooledByteBufAllocator.DEFAULT, TransactionStatus.IDLE));
                default -> server.frameReceived(message(tag));
            }
        }
    }

    private static ByteBuf message(char tag) {
        return Unpooled.buffer(5).writeByte(tag).writeInt(4);
    }

    @Test
    void aQueryAfterAnErrorIsIgnoredByTheBackendAndTheSyncReleasesTheServer() {
        client('P', 'B', 'E', 'Q', 'S');
        backend('1', 'E');
        assertFalse(server.isQuiet());
        backend('Z');
        assertEquals("1EZ", link.received());
        assertTrue(server.isAtBoundary());
        assertEquals(1, link.boundaries);
    }

    @Test
    void aQueryAfterAnErrorWithoutSyncLeavesTheBackendWaitingForOne() {
        client('P', 'B', 'E', 'Q');
        backend('1', 'E');
        assertFalse(server.isQuiet(), "the backend skips until Sync");
        client('Q', 'F', 'P');
        assertFalse(server.isQuiet());
        client('S');
        backend('Z');
        assertEquals("1EZ", link.received());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aBatchAwaitsItsSyncWhetherTheBackendSkipsOrNot() {
        client('P', 'B', 'E', 'H');
        assertTrue(server.awaitsSync());
        assertFalse(server.owesClientReadyForQuery());
        backend('E');
        assertTrue(server.awaitsSync(), "skipping until the Sync");
        client('S');
        assertFalse(server.awaitsSync());
        backend('Z');
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aPassedTerminateLetsTheLastAnswersThroughAndTheCloseIsNoError() {
        client('P', 'B', 'E', 'H', 'D');
        server.passTerminate();
        backend('1', '2', 'D', 'C', 'E');
        assertEquals("12DCE", link.received(), "what the backend sent before it exited: the Describe's error flushed");
        assertFalse(server.isQuiet());
        assertFalse(server.awaitsSync(), "the skip the error began is of no account: nothing more is sent");
        server.channelClosed(PgError.fatal("08006", "server closed the connection"));
        assertEquals(1, link.lost.size());
        assertEquals(null, link.lost.get(0), "the close answers the client's own Terminate");
    }

    @Test
    void nothingGoesToABackendAfterTheClientsTerminate() {
        client('P', 'B', 'E');
        server.passTerminate();
        assertThrows(IllegalStateException.class, server::passTerminate);
        assertThrows(IllegalStateException.class, () -> client('S'));
    }

    @Test
    void aFunctionCallEndsAnExtendedBatch() {
        client('P', 'B', 'E', 'F');
        backend('1', '2', 'D', 'C', 'V', 'Z');
        assertTrue(server.isAtBoundary());
    }

    @Test
    void anErrorInASimpleQueryDoesNotSkipTheExtendedMessagesAfterIt() {
        client('Q', 'P', 'B', 'E', 'S');
        backend('E', 'Z', '1', '2', 'C', 'Z');
        assertEquals("EZ12CZ", link.received());
        assertTrue(server.isAtBoundary());
    }

    @Test
    void trackedRequestsSkippedAfterAnErrorFail() {
        List<String> outcomes = new ArrayList<>();
        client('P');
        server.sendTracked(message('P'), ok -> outcomes.add("parse " + ok));
        server.sendTrackedQuery(message('Q'), ok -> outcomes.add("query " + ok));
        client('S');
        backend('E', 'Z');
        assertEquals(List.of("parse false", "query false"), outcomes);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aTrackedQuerySentWhileTheBackendSkipsFailsAtTheSync() {
        List<String> outcomes = new ArrayList<>();
        client('B');
        backend('E');
        server.sendTrackedQuery(message('Q'), ok -> outcomes.add("query " + ok));
        assertEquals(List.of(), outcomes);
        client('S');
        backend('Z');
        assertEquals(List.of("query false"), outcomes);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRefusedMessageGivesTheClientPgmuxsErrorAndTheBackendSkipsToSync() {
        client('P');
        server.refuse(Describe.encode(UnpooledByteBufAllocator.DEFAULT, Describe.STATEMENT, "pgmux_"),
                ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT, PgError.error("26000", "prepared statement \"x\" does not exist")));
        client('E', 'S');
        backend('1');
        server.frameReceived(ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT,
                PgError.error("26000", "prepared statement \"pgmux_\" does not exist")));
        backend('Z');
        assertEquals("1EZ", link.received());
        assertEquals(List.of("prepared statement \"x\" does not exist"), link.errors);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRefusedQueryGivesTheClientPgmuxsErrorThenTheBackendsReadyForQueryInItsPlace() {
        client('Q');
        server.refuseSimple(message('Q'), ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT,
                PgError.error("0A000", "refused")));
        client('Q');
        backend('T', 'D', 'C', 'Z');
        backend('E');
        assertEquals(0, link.boundaries, "no boundary before the stand-in's ReadyForQuery");
        backend('Z', 'C', 'Z');
        assertEquals("TDCZEZCZ", link.received(), "in the order of the requests");
        assertEquals(List.of("refused"), link.errors, "the stand-in's own error is swallowed");
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aRefusedQueryWhileTheBackendSkipsIsAnsweredByNothing() {
        client('B');
        backend('E');
        server.refuseSimple(message('Q'), ErrorResponse.encode(UnpooledByteBufAllocator.DEFAULT,
                PgError.error("0A000", "refused")));
        client('S');
        backend('Z');
        assertEquals("EZ", link.received(), "skipped as the client's Query would have been");
        assertEquals(List.of("division by zero"), link.errors);
        assertTrue(server.isAtBoundary());
    }

    @Test
    void aCopyStartedByExecuteNeedsASyncAfterItEvenWhenOneWasSentBefore() {
        client('P', 'B', 'E', 'S');
        backend('1', '2', 'G');
        client('d', 'c');
        backend('C');
        assertFalse(server.isQuiet(), "the Sync sent before the COPY was ignored by the backend");
        client('S');
        backend('Z');
        assertTrue(server.isAtBoundary());
    }

    private static final class Link extends ServerLinkAdapter {
        private final StringBuilder tags = new StringBuilder();
        private final List<String> errors = new ArrayList<>();
        private final List<PgError> lost = new ArrayList<>();
        private int boundaries;

        String received() {
            return tags.toString();
        }

        @Override
        public void serverMessage(ByteBuf frame) {
            char tag = (char) frame.getByte(frame.readerIndex());
            tags.append(tag);
            if (tag == 'E') {
                errors.add(ErrorResponse.decode(frame.duplicate().skipBytes(5)).message());
            }
            frame.release();
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
