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
 * run. Else the client waits, and it keeps what it sends of extended-protocol requests as runs too, checked as they
 * arrive and read when a server comes ({@link #sendKept}): nearly every request waits when clients outnumber
 * servers, and a waited request then costs one write of the bytes it came in, not a slice and a write per message.
 * Everything else, and any message that did not arrive in one read, comes to the session whole. Confined to the
 * client's event loop.
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
        if (pooled.isTerminating() || pooled.local().skipping() || policy.skips(tag)) {
            return Route.TAKE;
        }
        ServerConnection linked = pooled.server();
        if (linked == null) {
            return routeUnlinked(tag, length);
        }
        if (!pooled.pending().isEmpty() || client.state() != ClientState.ACTIVE) {
            return Route.TAKE;
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
        return passUnread(linked, tag, traffic.burstNanos());
    }

    /**
     * With no server: between transactions an extended-protocol request may still go in the run, with a server had
     * at once; a client waiting for one keeps its extended-protocol messages as runs ({@link #run}) until it comes.
     */
    private Route routeUnlinked(byte tag, int length) {
        ClientState state = client.state();
        if (state == ClientState.IDLE) {
            return pooled.pending().isEmpty() && opensRequestInPlace(tag) ? Route.INSPECT : Route.TAKE;
        }
        if (state != ClientState.WAITING) {
            return Route.TAKE;
        }
        if (tag == FrontendTag.SYNC || tag == FrontendTag.FLUSH) {
            return length == 4 ? Route.PASS : Route.TAKE; // bodiless, so nothing to validate; else refused whole
        }
        return opensRequestInPlace(tag) ? Route.INSPECT : Route.TAKE;
    }

    /** A message that passes unread to a linked server: timed if it ends a request, and noted on the server. */
    private Route passUnread(ServerConnection linked, byte tag, long nowNanos) {
        clock.sent(nowNanos, tag == FrontendTag.SYNC);
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
        if (linked == null && client.state() == ClientState.WAITING) {
            return keep(frame, tag);
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
                // The client waits now: the request stays in the run, which it keeps until a server comes.
                return client.state() == ClientState.WAITING ? kept(frame, tag) : Route.TAKE;
            }
            linked = pooled.server();
        }
        Route route = forwardInPlace(linked, frame, tag, traffic.burstNanos());
        if (route != Route.TAKE) {
            PreparedStatementCounts.count(stats, tag, frame);
        }
        return route;
    }

    /**
     * A message of a client waiting for a server, to be kept in the run ({@link #run}): checked now, so that a
     * malformed one fails the client as it arrives; what it does to the session is read when it is sent
     * ({@link #sendKept}).
     */
    private Route keep(ByteBuf frame, byte tag) {
        try {
            FrontendMessages.validate(frame);
        } catch (ProtocolException e) {
            return Route.TAKE; // the message path reads it again and fails the client with the error
        }
        return kept(frame, tag);
    }

    /** A message kept in the run: its statement name's use counted as it arrives (SHOW STATS), as for any. */
    private Route kept(ByteBuf frame, byte tag) {
        PreparedStatementCounts.count(stats, tag, frame);
        return Route.PASS;
    }

    /** The policy's {@link ReleasePolicy#forwardInPlace} for a message whose effect on the session was read. */
    private Route forwardInPlace(ServerConnection linked, ByteBuf frame, byte tag, long nowNanos) {
        Route route = policy.forwardInPlace(linked, frame, tag);
        if (route != Route.TAKE) {
            clock.sent(nowNanos, tag == FrontendTag.SYNC);
        }
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

    /**
     * Bytes of messages that passed: one write to the server, flushed with the client's read burst; or, while the
     * client waits for a server, kept whole among its pending requests for {@link #sendKept}.
     */
    void run(ByteBuf bytes) {
        traffic.received(bytes);
        timeouts.messageReceived(traffic.burstNanos());
        ServerConnection linked = pooled.server();
        if (linked != null) {
            linked.sendClientRun(bytes);
        } else if (client.state() == ClientState.WAITING) {
            pooled.keep(bytes);
        } else {
            bytes.release();
            throw new IllegalStateException("client bytes passed through with no server linked, " + client.state());
        }
    }

    /**
     * Sends a run the client kept while it waited ({@link #run}) to the server now linked, and gives it up: each
     * message is read where it lies, as one arriving with a server is ({@link #route}, {@link #inspect}), and what
     * passes goes out as runs of the kept bytes (the whole run as it is, when nothing in it changes); a message that
     * must come whole goes to the session's message path. Stops when the client fails on the way, and at a message
     * that must wait for the answers to what went before it ({@link ReleasePolicy#waitsForAnswers}): the run from it
     * on is kept first in line again, and false returned.
     *
     * @param serverIdle whether the server will be idle with no transaction open when the run reaches it
     */
    boolean sendKept(ServerConnection linked, ByteBuf kept, boolean serverIdle, long nowNanos) {
        int start = kept.readerIndex();
        int end = kept.writerIndex();
        int runStart = start;
        int pos = start;
        try {
            while (pos < end) {
                byte tag = kept.getByte(pos);
                int frame = kept.getInt(pos + 1) + 1;
                kept.setIndex(pos, pos + frame);
                boolean waits;
                Route route = Route.PASS;
                try {
                    waits = policy.waitsForAnswers(kept);
                    if (!waits) {
                        route = routeKept(linked, kept, tag, nowNanos);
                    }
                    if (route == Route.REPLACE_HEAD) {
                        sendRun(linked, kept, runStart, pos);
                        runStart = policy.replaceHead(linked, kept);
                        if (runStart < pos || runStart > pos + frame) {
                            throw new IllegalStateException("the rest of a message starts at " + runStart
                                    + ", outside it");
                        }
                    }
                } finally {
                    kept.setIndex(start, end);
                }
                if (waits) {
                    sendRun(linked, kept, runStart, pos);
                    pooled.pending().putBack(kept.retainedSlice(pos, end - pos));
                    return false;
                }
                if (route == Route.TAKE) {
                    sendRun(linked, kept, runStart, pos);
                    runStart = pos + frame;
                    pooled.forward(linked, kept.retainedSlice(pos, frame), serverIdle && pos == start, nowNanos);
                    if (pooled.server() != linked) {
                        return false; // the client failed, and its server went with it
                    }
                }
                pos += frame;
            }
            if (runStart == start) {
                ByteBuf whole = kept;
                kept = null;
                linked.sendClientRun(whole);
            } else {
                sendRun(linked, kept, runStart, end);
            }
            return true;
        } finally {
            if (kept != null) {
                kept.release();
            }
        }
    }

    /** A kept message's way to the server now linked: {@link #route} and {@link #inspect} for one that arrives. */
    private Route routeKept(ServerConnection linked, ByteBuf frame, byte tag, long nowNanos) {
        if (policy.skips(tag)) {
            return Route.TAKE;
        }
        if (tag == FrontendTag.FLUSH || tag == FrontendTag.SYNC && !policy.sharesStatements()) {
            return passUnread(linked, tag, nowNanos);
        }
        try {
            if (policy.inspects(tag)) {
                session.inspect(frame);
            }
        } catch (ProtocolException | UnsupportedRequestException e) {
            return Route.TAKE; // the message path reads it again and refuses it or fails the client
        }
        return forwardInPlace(linked, frame, tag, nowNanos);
    }

    private static void sendRun(ServerConnection linked, ByteBuf kept, int from, int to) {
        if (to > from) {
            linked.sendClientRun(kept.retainedSlice(from, to - from));
        }
    }
}
