package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.client.ClientTimeouts.Due;
import io.pgmux.client.ClientTimeouts.ServerSide;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.Timeouts;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientTimeoutsTest {
    private static final long S = 1_000_000_000L;
    private static final Timeouts TIMEOUTS = ConfigLoader.parse("client_idle_timeout: 10s\n"
            + "idle_transaction_timeout: 5s\nquery_timeout: 3s\ndatabases:\n  app: {host: 127.0.0.1}\n"
            + "users:\n  - {name: u, password: p}\n", "t.yaml", Map.of()).timeouts();

    @Test
    void anIdleClientIsClosedAfterClientIdleTimeoutSinceItLastSpoke() {
        ClientTimeouts t = new ClientTimeouts(0);
        t.messageReceived(2 * S);
        assertEquals(Due.NOTHING, t.check(12 * S, TIMEOUTS, true, ServerSide.NONE));
        assertEquals(Due.CLIENT_IDLE, t.check(12 * S + 1, TIMEOUTS, true, ServerSide.NONE));
    }

    @Test
    void idleInTransactionCountsFromTheLastReadyForQuery() {
        ClientTimeouts t = new ClientTimeouts(0);
        t.readyForQuery(4 * S);
        assertEquals(Due.NOTHING, t.check(9 * S, TIMEOUTS, false, ServerSide.IDLE_IN_TRANSACTION));
        assertEquals(Due.IDLE_IN_TRANSACTION, t.check(9 * S + 1, TIMEOUTS, false, ServerSide.IDLE_IN_TRANSACTION));
        assertEquals(Due.NOTHING, t.check(100 * S, TIMEOUTS, false, ServerSide.IDLE), "no transaction open");
    }

    @Test
    void queryTimeoutCancelsOncePerRequest() {
        ClientTimeouts t = new ClientTimeouts(0);
        assertEquals(Due.NOTHING, t.check(3 * S, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.CANCEL_QUERY, t.check(3 * S + 1, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.NOTHING, t.check(6 * S, TIMEOUTS, false, ServerSide.RUNNING), "one cancel per request");
        t.messageReceived(11 * S);
        assertEquals(Due.CANCEL_QUERY, t.check(14 * S + 1, TIMEOUTS, false, ServerSide.RUNNING));
    }

    @Test
    void aCancelUnansweredForAnotherQueryTimeoutClosesTheClient() {
        ClientTimeouts t = new ClientTimeouts(0);
        assertEquals(Due.CANCEL_QUERY, t.check(3 * S + 1, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.NOTHING, t.check(6 * S, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.CANCEL_UNANSWERED, t.check(6 * S + 1, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.NOTHING, t.check(7 * S, TIMEOUTS, false, ServerSide.IDLE), "answered after all");
        t.messageReceived(8 * S);
        assertEquals(Due.CANCEL_QUERY, t.check(11 * S + 1, TIMEOUTS, false, ServerSide.RUNNING), "a new request");
        assertEquals(Due.NOTHING, t.check(14 * S, TIMEOUTS, false, ServerSide.RUNNING));
        assertEquals(Due.CANCEL_UNANSWERED, t.check(14 * S + 1, TIMEOUTS, false, ServerSide.RUNNING));
    }

    @Test
    void nothingIsDueWithoutAServerOrWhileWaitingForOne() {
        ClientTimeouts t = new ClientTimeouts(0);
        assertEquals(Due.NOTHING, t.check(1000 * S, TIMEOUTS, false, ServerSide.NONE));
    }
}
