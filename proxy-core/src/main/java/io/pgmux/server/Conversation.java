package io.pgmux.server;

import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;

/**
 * What pgmux has asked a backend and where the backend stands: the {@link ResponseQueue} of answers owed, the
 * {@link ProtocolPhase}, and the transaction status of its last ReadyForQuery. Shared by the side that writes
 * requests ({@link RequestWriter}) and the side that routes answers ({@link ResponseRouter}); the phase changes
 * only through {@link #moveTo}. Confined to the server's event loop.
 */
final class Conversation {
    /**
     * Why pgmux gives up a backend whose COPY, begun by Execute, failed with Syncs sent into it while requests other
     * than Sync follow: the backend skips to the first Sync it reads after the failure, one of those (then it answers
     * the requests) or the next one sent (then it skips them), and only what it answers would tell pgmux which.
     */
    static final PgError SKIP_END_UNKNOWN = PgError.fatal(SqlState.FEATURE_NOT_SUPPORTED, "pgmux cannot tell which"
            + " requests the server skips after a COPY begun by Execute failed with Syncs sent among its data; send"
            + " Sync right after CopyDone or CopyFail");

    final ResponseQueue queue = new ResponseQueue();
    private ProtocolPhase phase = ProtocolPhase.LOGIN;
    private TransactionStatus transactionStatus = TransactionStatus.IDLE;
    private final long serverId;

    Conversation(long serverId) {
        this.serverId = serverId;
    }

    ProtocolPhase phase() {
        return phase;
    }

    /** @throws IllegalStateException for a move {@link ProtocolPhase} does not list */
    void moveTo(ProtocolPhase next) {
        if (phase == ProtocolPhase.TERMINATING && next != ProtocolPhase.ABANDONED) {
            // The answers before the backend exits still move it (an error, a COPY begun or ended), but nothing more
            // is sent to it, so where it stands no longer matters: it stays terminating.
            return;
        }
        if (!phase.canMoveTo(next)) {
            throw new IllegalStateException("server " + serverId + ": illegal protocol move " + phase + " -> " + next);
        }
        phase = next;
    }

    TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    void readyForQuery(TransactionStatus status) {
        transactionStatus = status;
    }

    /**
     * No request awaits an answer, no Sync sent into a failed COPY may still be answered, and the backend needs no
     * Sync, though a transaction may be open.
     */
    boolean isQuiet() {
        return queue.isEmpty() && !queue.syncsInDoubt() && phase == ProtocolPhase.READY;
    }
}
