package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.frontend.Query;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes requests to a backend, noting in the {@link ResponseQueue} what each will be answered by and what
 * becomes of the answers, and moving the {@link ProtocolPhase} as the request moves the backend. Nothing is
 * flushed here: the caller flushes once per burst. Confined to the server's event loop.
 */
final class RequestWriter {
    private final long serverId;
    private final Conversation conversation;
    private final ResponseQueue queue;
    private final PreparedOnServer prepared;
    /** Gives up the backend when pgmux can no longer tell what it will answer. */
    private final Consumer<PgError> hangUp;
    private Channel channel;

    RequestWriter(long serverId, Conversation conversation, PreparedOnServer prepared, Consumer<PgError> hangUp) {
        this.serverId = serverId;
        this.conversation = conversation;
        this.queue = conversation.queue;
        this.prepared = prepared;
        this.hangUp = hangUp;
    }

    void attach(Channel newChannel) {
        channel = newChannel;
    }

    /** A client's message, forwarded as it is; what it is owed is read from its type byte. */
    void fromClient(ByteBuf frame) {
        noteFromClient(frame.getByte(frame.readerIndex()));
        channel.write(frame, channel.voidPromise());
    }

    /**
     * Notes what a client's message of type {@code tag} will be answered by, for a message that goes out with
     * others in one run ({@link #clientRun}).
     */
    void noteFromClient(byte tag) {
        ProtocolPhase now = conversation.phase();
        if (now == ProtocolPhase.ABANDONED) {
            return; // its write goes nowhere: the connection is closing
        }
        if (now == ProtocolPhase.TERMINATING) {
            throw new IllegalStateException("server " + serverId + ": a client message after the client's Terminate");
        }
        switch (tag) {
            case FrontendTag.QUERY:
                // A simple Query drops the backend's unnamed statement.
                prepared.dropUnnamed();
                queue.forward(simpleRequest());
                break;
            case FrontendTag.FUNCTION_CALL:
                queue.forward(simpleRequest());
                break;
            case FrontendTag.SYNC:
                // In COPY FROM STDIN the backend ignores Sync: no ReadyForQuery will answer it, unless the COPY
                // fails before the backend reads it.
                if (conversation.phase().isCopyIn()) {
                    queue.syncsSentIntoCopy(1);
                } else {
                    queue.forward(RequestType.SYNC);
                }
                conversation.moveTo(conversation.phase().afterSync());
                break;
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
                queue.forward(RequestType.EXTENDED);
                openBatch();
                break;
            case FrontendTag.COPY_DONE:
            case FrontendTag.COPY_FAIL:
                copyEnd();
                break;
            case FrontendTag.TERMINATE:
                conversation.moveTo(ProtocolPhase.TERMINATING);
                break;
            default:
                break;
        }
    }

    /**
     * A CopyDone or CopyFail. In COPY FROM STDIN it ends the COPY. Otherwise the request before it may begin a COPY
     * whose CopyInResponse has not come yet (the client sent the COPY's data and end in one write with it): the
     * backend will read this as that COPY's end, so the request is marked ({@link ResponseQueue#markCopyEndAhead}).
     * Where no COPY begins, PostgreSQL ignores it, and the mark goes with the request.
     */
    private void copyEnd() {
        ProtocolPhase phase = conversation.phase();
        if (phase.isCopyIn()) {
            conversation.moveTo(phase.copyEnded());
        } else if (!queue.isEmpty()) {
            queue.markCopyEndAhead();
        }
    }

    /** Client bytes whose messages were noted one by one ({@link #noteFromClient}): one write for the run. */
    void clientRun(ByteBuf bytes) {
        channel.write(bytes, channel.voidPromise());
    }

    /**
     * What a simple Query or FunctionCall is queued as. It ends an extended-protocol batch before it, as a Sync
     * would; but a backend skipping to Sync ignores it, so it is then answered by nothing and fails with the rest
     * of the batch.
     */
    private RequestType simpleRequest() {
        checkSkipFollowable();
        ProtocolPhase phase = conversation.phase();
        conversation.moveTo(phase.afterSimpleRequest());
        return phase == ProtocolPhase.SKIPPING ? RequestType.EXTENDED : RequestType.SIMPLE;
    }

    private void openBatch() {
        checkSkipFollowable();
        conversation.moveTo(conversation.phase().afterExtendedRequest());
    }

    /**
     * A request other than Sync while the backend skips after a COPY begun by Execute failed with Syncs sent into
     * it: the backend may have ended its skip at one of those already (then it answers the request) or not (then it
     * skips it), and nothing pgmux could read tells which ({@link Conversation#SKIP_END_UNKNOWN}).
     */
    private void checkSkipFollowable() {
        if (conversation.phase() == ProtocolPhase.SKIPPING && queue.unsureSyncs() > 0) {
            hangUp.accept(Conversation.SKIP_END_UNKNOWN);
        }
    }

    /** A client's extended-protocol message whose success pgmux must learn (a Parse it renamed). */
    void tracked(ByteBuf frame, Outcome outcome) {
        noteTracked(outcome);
        channel.write(frame, channel.voidPromise());
    }

    /** As {@link #tracked}, for a message that goes out with others in one run ({@link #clientRun}). */
    void noteTracked(Outcome outcome) {
        queue.track(RequestType.EXTENDED, outcome);
        openBatch();
    }

    /** A client's Query whose success pgmux must learn (DEALLOCATE, DISCARD ALL, SET). */
    void trackedQuery(ByteBuf frame, Outcome outcome) {
        prepared.dropUnnamed();
        queue.track(simpleRequest(), outcome);
        channel.write(frame, channel.voidPromise());
    }

    /** A Parse or Close of pgmux's own ahead of a client's message; its answer is swallowed. */
    void inject(ByteBuf frame, Outcome outcome) {
        queue.swallow(outcome);
        openBatch();
        channel.write(frame, channel.voidPromise());
    }

    /** A stand-in for a client's message pgmux refused; {@code error} goes to the client in its place. */
    void refuse(ByteBuf standIn, ByteBuf error) {
        queue.replace(error);
        openBatch();
        channel.write(standIn, channel.voidPromise());
    }

    /**
     * A stand-in Query for a client's simple request (Query, FunctionCall) pgmux refused; {@code error} goes to
     * the client in its place, and the backend's ReadyForQuery after it.
     */
    void refuseSimple(ByteBuf standIn, ByteBuf error) {
        prepared.dropUnnamed();
        queue.replace(simpleRequest(), error);
        channel.write(standIn, channel.voidPromise());
    }

    /**
     * An empty Query in place of a client's simple request that {@code answer} answers ({@link
     * ResponseAction#ANSWER}): it ends a batch and is skipped by a backend skipping to Sync, as the request would be.
     */
    void answerSimple(LocalAnswer answer) {
        prepared.dropUnnamed();
        queue.answer(simpleRequest(), answer);
        channel.write(Query.encode(channel.alloc(), ""), channel.voidPromise());
    }

    /**
     * A statement of pgmux's own as a simple Query.
     *
     * @throws IllegalStateException while the backend skips to Sync after an error (it would ignore the Query)
     */
    void internalQuery(String sql, Consumer<List<String>> onRow, Consumer<PgError> onDone) {
        if (conversation.phase() == ProtocolPhase.SKIPPING) {
            throw new IllegalStateException("server " + serverId
                    + ": a query of pgmux's own while the backend skips to Sync");
        }
        conversation.moveTo(conversation.phase().afterSimpleRequest());
        prepared.dropUnnamed();
        queue.internal(new InternalQuery(onRow, onDone));
        channel.write(Query.encode(channel.alloc(), sql), channel.voidPromise());
    }
}
