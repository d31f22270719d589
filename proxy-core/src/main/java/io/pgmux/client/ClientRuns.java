package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.server.ServerConnection;

/**
 * The client messages of a pooled session that pass to the linked server unread, inside runs of bytes: COPY data
 * and the few bodiless messages the session has no business with, while nothing of the client's waits and
 * nothing is skipped. Everything else comes to the session whole. Confined to the client's event loop.
 */
final class ClientRuns {
    private final PooledSession pooled;
    private final ClientConnection client;
    private final ReleasePolicy policy;
    private final RequestClock clock;
    private final ClientTimeouts timeouts;
    private final ClientTraffic traffic;

    ClientRuns(PooledSession pooled, ClientConnection client, ReleasePolicy policy, RequestClock clock,
               ClientTimeouts timeouts, ClientTraffic traffic) {
        this.pooled = pooled;
        this.client = client;
        this.policy = policy;
        this.clock = clock;
        this.timeouts = timeouts;
        this.traffic = traffic;
    }

    /** Whether the message passes; if so, the server has noted what it will be answered by. */
    boolean passes(byte tag, int length) {
        ServerConnection linked = pooled.server();
        if (linked == null || client.state() != ClientState.ACTIVE || !pooled.pending().isEmpty()
                || pooled.isTerminating() || pooled.local().skipping() || policy.skips(tag)) {
            return false;
        }
        switch (tag) {
            case FrontendTag.COPY_DATA:
                break;
            case FrontendTag.COPY_DONE:
            case FrontendTag.FLUSH:
                if (length != 4) {
                    return false; // the message path refuses it with PostgreSQL's words
                }
                break;
            case FrontendTag.SYNC:
                if (length != 4 || policy.sharesStatements()) {
                    return false; // shared statement names follow the batch up to its Sync
                }
                break;
            default:
                return false;
        }
        clock.sent(traffic.burstNanos(), linked.isAtBoundary(), tag == FrontendTag.SYNC);
        linked.noteFromClient(tag);
        return true;
    }

    /** Bytes of messages that passed: one write to the server, flushed with the client's read burst. */
    void run(ByteBuf bytes) {
        ServerConnection linked = pooled.server();
        if (linked == null) {
            bytes.release();
            throw new IllegalStateException("client bytes passed through with no server linked");
        }
        traffic.received(bytes);
        timeouts.messageReceived(traffic.burstNanos());
        linked.sendClientRun(bytes);
    }
}
