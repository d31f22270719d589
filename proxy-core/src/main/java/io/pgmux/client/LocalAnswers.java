package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.Parse;

/**
 * What pgmux answers itself, with no server, in a pooled session: between transactions a Parse of a statement
 * the pool already knows and the Sync behind it ({@link ReleasePolicy#parseWithoutServer}), and a request
 * cancelled while it waited for a server (57014, then the batch skipped up to its Sync, as PostgreSQL skips after
 * an error). Remembers where the client's current extended-protocol batch stands ({@link LocalBatch}). Confined
 * to the client's event loop.
 */
final class LocalAnswers {
    /** Reads a message for what it does to the session. */
    interface Inspection {
        /**
         * @return whether the message may be answered here; when not, either it failed the client (message
         *     released, {@link #failedClient}) or the message must go to a server, which refuses it (pinning: error)
         */
        boolean inspected(ByteBuf frame);

        /** Whether the client failed (and is closing): the message it sent was released. */
        boolean failedClient();
    }

    private final Channel channel;
    private final ReleasePolicy policy;
    private LocalBatch batch = LocalBatch.NONE;

    LocalAnswers(Channel channel, ReleasePolicy policy) {
        this.channel = channel;
        this.policy = policy;
    }

    /**
     * Takes the message if pgmux skips it: after it failed a message of the batch, everything up to the Sync is
     * ignored and the Sync answered. Returns whether it took (and released) the message.
     */
    /** Whether pgmux failed a message of the client's current batch and drops the rest up to its Sync. */
    boolean skipping() {
        return batch == LocalBatch.FAILED;
    }

    boolean skipped(byte tag, ByteBuf frame) {
        if (batch != LocalBatch.FAILED) {
            return false;
        }
        frame.release();
        if (tag == FrontendTag.SYNC) {
            batch = LocalBatch.NONE;
            readyForQuery();
        }
        return true;
    }

    /**
     * Answers the message with no server, if it can (the client is between transactions and nothing of it is
     * queued). Returns whether it did; the message is then consumed.
     */
    boolean answered(byte tag, ByteBuf frame, Inspection inspection) {
        if (!policy.sharesStatements()) {
            return false;
        }
        if (tag == FrontendTag.PARSE && Parse.hasStatementName(frame)) {
            // It may be answered here and never be forwarded: what it does to the session counts now.
            if (!inspection.inspected(frame)) {
                // Failed: consumed. Refused: a server fails it in its place, as for a message it forwards.
                return inspection.failedClient();
            }
            if (policy.parseWithoutServer(frame, channel)) {
                batch = LocalBatch.ANSWERED;
                return true;
            }
        }
        if (tag == FrontendTag.SYNC && batch == LocalBatch.ANSWERED) {
            batch = LocalBatch.NONE;
            frame.release();
            readyForQuery();
            return true;
        }
        return false;
    }

    /** A message goes to a server after all: what pgmux answered of the batch so far stands as it is. */
    void toServer() {
        batch = LocalBatch.NONE;
    }

    /**
     * The first waiting request was cancelled ({@link PendingRequests#cancelFirst}): ERROR 57014, then
     * ReadyForQuery 'I' if the request ended there (the client waits only from between transactions), else skip
     * the rest of the batch up to its Sync.
     */
    void cancelled(PendingRequests.Cancelled how) {
        channel.write(ErrorResponse.encode(channel.alloc(), PgError.error(SqlState.QUERY_CANCELED,
                "canceling statement due to user request")), channel.voidPromise());
        if (how == PendingRequests.Cancelled.UP_TO_READY) {
            channel.write(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        } else {
            batch = LocalBatch.FAILED;
        }
        channel.flush();
    }

    private void readyForQuery() {
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
    }
}
