package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.codec.MessageRouter.Route;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.FrontendMessages;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.SessionTracker;
import io.pgmux.session.UnsupportedRequestException;
import io.pgmux.stats.PoolStats;

/**
 * The client messages of a pooled session that go to the linked server inside runs of bytes, while nothing of the
 * client's waits and nothing is skipped: COPY data and the bodiless messages pass unread; Parse, Bind, Describe,
 * Execute, Close and Sync are read where they lie in the read buffer and pass unchanged when the policy needs
 * nothing sent before them (an unnamed statement the server holds, a portal), or with only their beginning
 * replaced (a Bind of a named statement, renamed to pgmux's name). Between transactions such a message opening a
 * request asks for a server while it lies in the read buffer; lent at once, the server gets the request inside the
 * run, else the request waits whole among the pending ones. Everything else, and any message that did not arrive
 * in one read, comes to the session whole. Confined to the client's event loop.
 */
final class ClientRuns {
    private final PooledSession pooled;
    private final ClientConnection client;
    private final ReleasePolicy policy;
    private final SessionTracker session;
    private final PoolStats stats;
    private final RequestClock clock;
    private final ClientTimeouts timeouts;
    private final ClientTraffic traffic;

    ClientRuns(PooledSession pooled, ClientConnection client, ReleasePolicy policy, SessionTracker session,
               PoolStats stats, RequestClock clock, ClientTimeouts timeouts, ClientTraffic traffic) {
        this.pooled = pooled;
        this.client = client;
        this.policy = policy;
        this.session = session;
        this.stats = stats;
        this.clock = clock;
        this.timeouts = timeouts;
        this.traffic = traffic;
    }

    /** What becomes of a message, from its header; a message that passes unread is noted on the server here. */
    Route route(byte tag, int length) {
        if (!pooled.pending().isEmpty() || pooled.isTerminating() || pooled.local().skipping() || policy.skips(tag)) {
            return Route.TAKE;
        }
        ServerConnection linked = pooled.server();
        if (linked == null || client.state() != ClientState.ACTIVE) {
            // Between transactions an extended-protocol request may still go in the run, with a server had at once.
            return client.state() == ClientState.IDLE && opensRequestInPlace(tag) ? Route.INSPECT : Route.TAKE;
        }
        switch (tag) {
            case FrontendTag.COPY_DATA:
                break;
            case FrontendTag.COPY_DONE:
            case FrontendTag.FLUSH:
                if (length != 4) {
                    return Route.TAKE; // the message path refuses it with PostgreSQL's words
                }
                break;
            case FrontendTag.SYNC:
                if (length != 4) {
                    return Route.TAKE;
                }
                if (policy.sharesStatements()) {
                    return Route.INSPECT; // shared statement names follow the batch up to its Sync
                }
                break;
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
                return Route.INSPECT;
            default:
                return Route.TAKE;
        }
        clock.sent(traffic.burstNanos(), tag == FrontendTag.SYNC);
        linked.noteFromClient(tag);
        return Route.PASS;
    }

    /**
     * An extended-protocol message read where it lies: what the session path would do with it, done without taking
     * it out of the stream, or TAKE (nothing changed) when it must come whole: laid out badly (refused there), a
     * request the session's pinning policy refuses, or one the policy must answer or precede with its own.
     */
    Route inspect(ByteBuf frame) {
        ServerConnection linked = pooled.server();
        byte tag = frame.getByte(frame.readerIndex());
        if (linked == null && tag == FrontendTag.PARSE && policy.sharesStatements() && Parse.hasStatementName(frame)) {
            return Route.TAKE; // between transactions it may be answered with no server (LocalAnswers)
        }
        try {
            FrontendMessages.validate(frame);
            if (policy.inspects(tag)) {
                session.inspect(frame);
            }
        } catch (ProtocolException | UnsupportedRequestException e) {
            return Route.TAKE; // the message path reads it again and fails the client with the error
        }
        if (linked == null) {
            // Nothing of the client's is in the run in front of it (nothing passes while it has no server), so its
            // server's alignment, if any, goes out first, as it would ahead of a pending request.
            if (!pooled.serverForRequestInPlace()) {
                return Route.TAKE; // it waits among the pending requests
            }
            linked = pooled.server();
        }
        Route route = policy.forwardInPlace(linked, frame, tag);
        if (route == Route.TAKE) {
            return route;
        }
        PreparedStatementCounts.count(stats, tag, frame);
        clock.sent(traffic.burstNanos(), tag == FrontendTag.SYNC);
        return route;
    }

    /**
     * Whether a message may open a request that goes inside the run when the client has no server: the
     * extended-protocol messages (a named Parse is looked at first, as it may be answered with no server). A
     * Query is the whole read as a rule (then it goes on as the read buffer anyway); a Sync may be answered here.
     */
    private static boolean opensRequestInPlace(byte tag) {
        switch (tag) {
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
                return true;
            default:
                return false;
        }
    }

    /** The new beginning of a message {@link #inspect} let pass with one, written to the server. */
    int replaceHead(ByteBuf frame) {
        ServerConnection linked = pooled.server();
        if (linked == null) {
            return frame.readerIndex(); // lost meanwhile: the message goes on in a run, refused for want of a server
        }
        int rest = policy.replaceHead(linked, frame);
        traffic.received(rest - frame.readerIndex());
        return rest;
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
