package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.codec.MessageRouter;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what a logged-in backend says to whoever the request at the head of the {@link ResponseQueue} belongs
 * to. Most answers pass through to the linked client as runs of bytes ({@link #route}); the few pooling must read
 * come whole ({@link #message}): ReadyForQuery (with the queue entries it closes), ErrorResponse, ParameterStatus,
 * the COPY FROM STDIN edges, and every answer to a request whose answers do not reach the client as they are
 * (pgmux's own queries, slipped-in Parses, refused messages).
 */
final class ResponseRouter implements MessageRouter {
    private static final Logger log = LoggerFactory.getLogger(ResponseRouter.class);
    private static final String STALE_PLAN = "cached plan must not change result type";
    private static final PgError SKIPPED = PgError.error(SqlState.PROTOCOL_VIOLATION,
            "pgmux: skipped by the server after an earlier error in the same extended-protocol batch");

    private final ServerConnection server;
    private final Conversation conversation;
    private final ResponseQueue queue;

    ResponseRouter(ServerConnection server, Conversation conversation) {
        this.server = server;
        this.conversation = conversation;
        this.queue = conversation.queue;
    }

    /**
     * What becomes of an answer while a client is linked: most pass to it unread; ReadyForQuery, an ErrorResponse
     * and a CopyInResponse that go to the client as they are pass too, and are read in place after ({@link
     * #passed}); the rest is taken whole. A terminal answer to an extended-protocol request whose answers
     * reach the client closes that request here already ({@link #passesTerminal}).
     */
    @Override
    public Route route(byte tag, int length) {
        if (server.link() == null || queue.syncsInDoubt()) {
            return Route.TAKE;
        }
        switch (tag) {
            case BackendTag.READY_FOR_QUERY:
                ResponseAction answered = queue.actionAnsweredByReadyForQuery();
                return length == 5 && answered != null && answered != ResponseAction.INTERNAL
                        && answered != ResponseAction.ANSWER ? Route.PASS_AND_READ : Route.TAKE;
            case BackendTag.ERROR_RESPONSE:
                // Taken whole where it may name a statement by pgmux's name, for the client's (serverError).
                return (queue.isEmpty() || queue.headAction().reachesClient()
                        || queue.headAction() == ResponseAction.SWALLOW) && server.prepared().size() == 0
                        ? Route.PASS_AND_READ : Route.TAKE;
            case BackendTag.COPY_IN_RESPONSE:
                return queue.isEmpty() || queue.headAction().reachesClient() ? Route.PASS_AND_READ : Route.TAKE;
            case BackendTag.PARAMETER_STATUS:
                return Route.TAKE;
            case BackendTag.NOTICE_RESPONSE:
            case BackendTag.NOTIFICATION_RESPONSE:
                return Route.PASS;
            case BackendTag.COMMAND_COMPLETE:
                if (conversation.phase().isCopyIn()) {
                    return Route.TAKE;
                }
                return passesTerminal() ? Route.PASS : Route.TAKE;
            case BackendTag.PARSE_COMPLETE:
            case BackendTag.BIND_COMPLETE:
            case BackendTag.CLOSE_COMPLETE:
            case BackendTag.ROW_DESCRIPTION:
            case BackendTag.NO_DATA:
            case BackendTag.EMPTY_QUERY_RESPONSE:
            case BackendTag.PORTAL_SUSPENDED:
                return passesTerminal() ? Route.PASS : Route.TAKE;
            default:
                return queue.isEmpty() || queue.headAction().reachesClient() ? Route.PASS : Route.TAKE;
        }
    }

    /** An answer {@link #route} let pass to be read: it is with the client already; act on it. */
    @Override
    public void passed(ByteBuf buffer, int index) {
        byte tag = buffer.getByte(index);
        switch (tag) {
            case BackendTag.READY_FOR_QUERY -> readyForQuery(TransactionStatus.fromCode(buffer.getByte(index + 5)),
                    null);
            case BackendTag.ERROR_RESPONSE -> errorResponse(ErrorResponse.decode(
                    buffer.slice(index + 5, buffer.getInt(index + 1) - 4)), null);
            case BackendTag.COPY_IN_RESPONSE -> copyInResponse(null);
            default -> throw new IllegalStateException("no reading in place for message type " + (char) tag);
        }
    }

    /**
     * Whether an answer that may end an extended-protocol request passes in the run: when the client gets the
     * backend's answers as they are. A terminal answer to a plain or tracked extended request closes it here: a
     * tracked request (the unnamed Parse every driver sends, say) learns of its success now, which only notes what
     * the server holds, so its ParseComplete costs no write of its own.
     */
    private boolean passesTerminal() {
        if (queue.isEmpty()) {
            return true;
        }
        if (!queue.headAction().reachesClient()) {
            return false;
        }
        if (queue.headType() == RequestType.EXTENDED) {
            complete(true);
        }
        return true;
    }

    @Override
    public void run(ByteBuf bytes) {
        forwardOrDrop(bytes);
    }

    /** A whole answer: the message path, which handles every type (also those {@link #route} would pass). */
    @Override
    public void message(ByteBuf frame) {
        if (conversation.phase() == ProtocolPhase.ABANDONED) {
            frame.release(); // the rest of a read in which pgmux gave the backend up
            return;
        }
        byte tag = frame.getByte(frame.readerIndex());
        if (queue.unsureSyncs() > 0 && answersARequest(tag)) {
            // An answer to a request sent after the Syncs sent into a failed COPY: the backend has read them all.
            queue.unsureSyncsIgnored();
        }
        switch (tag) {
            case BackendTag.READY_FOR_QUERY -> readyForQuery(ReadyForQuery.status(frame), frame);
            case BackendTag.PARAMETER_STATUS -> parameterStatus(frame);
            case BackendTag.ERROR_RESPONSE -> errorResponse(ErrorResponse.decode(frame.duplicate().skipBytes(5)), frame);
            case BackendTag.NOTICE_RESPONSE, BackendTag.NOTIFICATION_RESPONSE -> forwardOrDrop(frame);
            case BackendTag.COPY_IN_RESPONSE -> copyInResponse(frame);
            case BackendTag.COMMAND_COMPLETE -> {
                // While Syncs were sent into a COPY, the next CommandComplete is that COPY's.
                queue.copySucceeded();
                conversation.moveTo(conversation.phase().copyEnded());
                deliver(frame, true);
            }
            case BackendTag.PARSE_COMPLETE, BackendTag.BIND_COMPLETE, BackendTag.CLOSE_COMPLETE,
                    BackendTag.ROW_DESCRIPTION, BackendTag.NO_DATA, BackendTag.EMPTY_QUERY_RESPONSE,
                    BackendTag.PORTAL_SUSPENDED -> deliver(frame, true);
            default -> deliver(frame, false);
        }
    }

    /**
     * Whether a message of type {@code tag} answers a request (ReadyForQuery aside), unlike a ParameterStatus,
     * NoticeResponse or NotificationResponse, which the backend may send between ReadyForQuery messages.
     */
    private static boolean answersARequest(byte tag) {
        return tag != BackendTag.READY_FOR_QUERY && tag != BackendTag.PARAMETER_STATUS
                && tag != BackendTag.NOTICE_RESPONSE && tag != BackendTag.NOTIFICATION_RESPONSE;
    }

    /**
     * The head request began COPY FROM STDIN. Its client may have sent the COPY's end (CopyDone or CopyFail) ahead
     * of this answer, in one write with the request, say ({@link ResponseQueue#takeCopyEndAhead}): the backend has
     * read it, or will, before anything sent after it, so the conversation does not enter COPY FROM STDIN. Every
     * Sync sent between the request and the COPY's end (every one sent so far, when the end has not come yet)
     * reaches the backend in COPY FROM STDIN, which ignores it (protocol docs, "COPY Operations"): no ReadyForQuery
     * will answer it, whether the COPY came by Query or by Execute. A COPY begun by Execute owes its batch the Sync
     * sent after the COPY's end instead.
     *
     * @param frame the message, or null when it went to the client already
     */
    private void copyInResponse(ByteBuf frame) {
        boolean byExecute = !queue.isEmpty() && queue.headType() == RequestType.EXTENDED;
        int endedAhead = queue.takeCopyEndAhead();
        if (endedAhead >= 0) {
            boolean requestsSince = queue.size() - 1 > endedAhead;
            queue.syncsSentIntoCopy(queue.removeSyncsAfterHead(endedAhead));
            conversation.moveTo(conversation.phase().copyEndedAhead(byExecute, requestsSince));
        } else {
            queue.syncsSentIntoCopy(queue.removeSyncsAfterHead(queue.size() - 1));
            conversation.moveTo(conversation.phase().copyStarted(byExecute));
        }
        if (frame != null) {
            deliver(frame, false);
        }
        ServerLink link = server.link();
        if (link != null) {
            link.serverCopyInStarted();
        }
    }

    /**
     * Routes an answer to the request at the head of the queue. {@code terminal} says whether this message type
     * ends an extended-protocol request; simple Queries, Syncs and pgmux's own queries end only with
     * ReadyForQuery.
     */
    private void deliver(ByteBuf frame, boolean terminal) {
        if (queue.isEmpty()) {
            forwardOrDrop(frame);
            return;
        }
        switch (queue.headAction()) {
            case REPLACE -> {
                // The stand-in found a statement after all (only a pinned client's own SQL PREPARE could make one
                // of that name): the client still gets pgmux's error for its message.
                frame.release();
                if (terminal) {
                    forwardOrDrop(queue.takeReplacement());
                    complete(true);
                }
                return;
            }
            case INTERNAL -> {
                queue.headInternal().received(frame);
                frame.release();
            }
            case SWALLOW, ANSWER -> frame.release();
            case FORWARD, TRACK -> forwardOrDrop(frame);
        }
        if (terminal && queue.headType() == RequestType.EXTENDED) {
            complete(true);
        }
    }

    /** Pops the head request, telling it how it went. */
    private void complete(boolean succeeded) {
        switch (queue.headAction()) {
            case TRACK, SWALLOW -> {
                Outcome outcome = queue.headOutcome();
                queue.pop();
                outcome.done(succeeded);
            }
            case INTERNAL -> {
                InternalQuery query = queue.headInternal();
                queue.pop();
                query.complete();
            }
            case ANSWER -> {
                LocalAnswer answer = queue.headAnswer();
                queue.pop();
                if (!succeeded) {
                    answer.skipped();
                }
            }
            case FORWARD, REPLACE -> queue.pop();
        }
    }

    /** Pops the head request, which the backend skipped after an error before it. */
    private void skip() {
        switch (queue.headAction()) {
            case TRACK, SWALLOW -> {
                Outcome outcome = queue.headOutcome();
                queue.pop();
                outcome.skipped();
            }
            default -> complete(false);
        }
    }

    /** @param frame the message, or null when it went to the client already */
    private void readyForQuery(TransactionStatus status, ByteBuf frame) {
        if (queue.unsureSyncs() > 0 && (queue.isEmpty() || queue.headType() != RequestType.SYNC)) {
            unsureSyncAnswered(status, frame);
            return;
        }
        conversation.readyForQuery(status);
        conversation.moveTo(conversation.phase().copyEnded());
        // Extended requests still queued here were skipped by the server after an error.
        while (!queue.isEmpty() && !queue.headType().endsWithReadyForQuery()) {
            skip();
        }
        if (queue.isEmpty()) {
            if (frame != null) {
                frame.release();
            }
            throw new ProtocolException("server sent ReadyForQuery with nothing outstanding");
        }
        boolean internal = queue.headAction() == ResponseAction.INTERNAL;
        if (queue.headAction() == ResponseAction.ANSWER && !queue.headFailed()) {
            forwardOrDrop(queue.headAnswer().answer(status)); // before the ReadyForQuery, taken whole (see route)
        }
        if (frame == null) {
            // Already with the client.
        } else if (internal) {
            frame.release();
        } else {
            forwardOrDrop(frame);
        }
        complete(!queue.headFailed());
        queue.copyRequestDone();
        askWhetherSyncsAnswered();
        ServerLink link = server.link();
        if (link != null && !internal) {
            link.serverReadyForQuery(conversation.transactionStatus());
        }
        link = server.link();
        if (link != null) {
            link.serverAnsweredBatch();
        }
        link = server.link();
        if (link != null && server.isAtBoundary()) {
            link.serverAtBoundary();
        }
    }

    /**
     * A ReadyForQuery that answers no queued request: a Sync sent into a COPY that failed before the backend read
     * it (a request's own answers come before its ReadyForQuery, and a queued Sync at the head takes it). It goes
     * to the client, whose Sync it answers, as a direct connection's would.
     *
     * @param frame the message (taken whole while Syncs are in doubt)
     */
    private void unsureSyncAnswered(TransactionStatus status, ByteBuf frame) {
        queue.unsureSyncAnswered();
        conversation.readyForQuery(status);
        if (conversation.phase() == ProtocolPhase.SKIPPING) {
            conversation.moveTo(ProtocolPhase.READY); // the backend read a Sync: its skip is over
        }
        forwardOrDrop(frame);
        askWhetherSyncsAnswered();
        ServerLink link = server.link();
        if (link != null) {
            link.serverReadyForQuery(status);
        }
    }

    /**
     * With nothing else to wait for, whether the backend will answer more of the Syncs sent into a failed COPY is
     * asked with an empty Query of pgmux's own: its EmptyQueryResponse comes after every ReadyForQuery the backend
     * still owes them, and tells that the rest were ignored. Not while a batch is open (the Query would end it), the
     * backend may skip to Sync (it would ignore the Query), or part of a client's message is still to come (the
     * CopyData a client may still be sending after the COPY failed: the Query would be read as its rest); the
     * client's read that completes the message asks again ({@link ServerConnection#askWhetherSyncsAnswered}).
     */
    void askWhetherSyncsAnswered() {
        ServerLink link = server.link();
        if (queue.unsureSyncs() > 0 && queue.isEmpty() && conversation.phase() == ProtocolPhase.READY
                && (link == null || !link.clientInsideMessage())) {
            // An empty Query fails only when the backend goes, which serverGone reports to whoever is linked.
            server.sendInternalQuery("", error -> { });
            server.flush();
        }
    }

    private void parameterStatus(ByteBuf frame) {
        ParameterStatus status = ParameterStatus.decode(frame.duplicate().skipBytes(5));
        server.settings().reported(status.name(), status.value());
        ServerLink link = server.link();
        if (link != null) {
            link.serverParameterChanged(status.name(), status.value(), frame);
        } else {
            frame.release();
        }
    }

    /** @param frame the message, or null when it went to the client already (it would have gone there) */
    private void errorResponse(PgError error, ByteBuf given) {
        ByteBuf frame = given;
        ServerLink link = server.link();
        if (frame != null && link != null) {
            frame = link.serverError(error, frame);
        }
        conversation.moveTo(conversation.phase().copyEnded());
        if (error.isFatal()) {
            server.fatalReceived(error);
        }
        if (error.sqlState().equals(SqlState.FEATURE_NOT_SUPPORTED) && STALE_PLAN.equals(error.message())) {
            server.prepared().markAllStale();
        }
        if (queue.isEmpty()) {
            if (server.link() == null) {
                log.info("server {} ({}) reported while not linked: {}", server.id(), server.target(), error);
            }
            forwardOrDrop(frame);
            return;
        }
        switch (queue.headAction()) {
            case INTERNAL -> {
                if (queue.headType() == RequestType.SIMPLE) {
                    queue.headInternal().failed(error);
                    release(frame);
                    return;
                }
            }
            case REPLACE -> {
                // The stand-in failed as intended: the client gets pgmux's error in place of the server's.
                release(frame);
                forwardOrDrop(queue.takeReplacement());
                if (queue.headType() == RequestType.SIMPLE) {
                    queue.markHeadFailed(); // the stand-in Query: its ReadyForQuery ends it
                    return;
                }
                complete(false);
                skipToSync();
                skippedAnswered();
                return;
            }
            default -> {
            }
        }
        if (queue.headType().endsWithReadyForQuery()) {
            // A simple Query, FunctionCall or Sync: the error is one of its answers; ReadyForQuery ends it.
            queue.markHeadFailed();
            forwardOrDrop(frame);
            return;
        }
        // An extended request failed (a failed slipped-in Parse is the client's business too).
        forwardOrDrop(frame);
        complete(false);
        queue.copyRequestDone();
        if (queue.unsureSyncs() > 0 && !queue.isEmpty() && queue.headType() != RequestType.SYNC) {
            server.hangUp(Conversation.SKIP_END_UNKNOWN); // see RequestWriter#checkSkipFollowable
            return;
        }
        skipToSync();
        if (queue.isEmpty()) {
            conversation.moveTo(ProtocolPhase.SKIPPING);
        }
        skippedAnswered();
    }

    /**
     * What the backend skips after an error is known as soon as the error comes (PostgreSQL flushes every
     * ErrorResponse at once): a message of the client's that waits for the outcome of a request the error skipped
     * (a Query behind the failed batch) may go now, rather than at a ReadyForQuery that comes only behind it.
     */
    private void skippedAnswered() {
        ServerLink link = server.link();
        if (link != null) {
            link.serverAnsweredBatch();
        }
    }

    /**
     * After an error in an extended-protocol request the backend ignores every message up to the next Sync, a
     * simple Query or FunctionCall included: whatever was sent in between fails without an answer. With no Sync
     * sent yet, the backend goes on skipping whatever comes until one is.
     */
    private void skipToSync() {
        while (!queue.isEmpty() && queue.headType() != RequestType.SYNC) {
            if (queue.headAction() == ResponseAction.INTERNAL) {
                queue.headInternal().failed(SKIPPED);
            }
            skip();
        }
    }

    /** The connection is gone: tracked requests failed; pgmux's own queries hear nothing more. */
    void serverGone() {
        while (!queue.isEmpty()) {
            if (queue.headAction() == ResponseAction.INTERNAL) {
                queue.pop();
            } else {
                complete(false);
            }
        }
    }

    private static void release(ByteBuf frame) {
        if (frame != null) {
            frame.release();
        }
    }

    /** Writes {@code frame} to the linked client, or drops it; null: it went to the client already. */
    private void forwardOrDrop(ByteBuf frame) {
        if (frame == null) {
            return;
        }
        ServerLink link = server.link();
        if (link != null) {
            link.serverMessage(frame);
        } else {
            frame.release();
        }
    }
}
