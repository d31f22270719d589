package io.pgmux.server;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a backend stands in the protocol, as far as pgmux has sent to it and heard back (protocol docs, "Message
 * Flow"): logging in, or logged in with or without an extended-protocol batch open, skipping to Sync after an
 * error, or in COPY FROM STDIN. Kept by {@link Conversation}, which makes every move through
 * {@link Conversation#moveTo}; a move not listed here is a bug that fails loudly. The pool's view of the same
 * connection (idle, active, ...) is {@link ServerState}.
 */
enum ProtocolPhase {
    /** Connecting, StartupMessage sent, authentication and welcome in progress. */
    LOGIN,
    /** The connect or login failed and was reported: the connection only closes now. */
    LOGIN_FAILED,
    /** No extended-protocol message since the last Sync or simple Query: each request ends with ReadyForQuery. */
    READY,
    /** Extended-protocol messages since then: the backend answers each, but is ready only after a Sync. */
    EXTENDED,
    /**
     * One of them failed and no Sync has been sent since: the backend ignores every message (simple Query and
     * FunctionCall included) until the next Sync.
     */
    SKIPPING,
    /** In COPY FROM STDIN begun by a simple Query: the backend reads only CopyData, CopyDone and CopyFail. */
    COPY_IN,
    /** In COPY FROM STDIN with an extended-protocol batch open (begun by Execute): a Sync is owed after it. */
    COPY_IN_EXTENDED,
    /**
     * The client's Terminate went out while the backend still had requests of the client's to answer that no
     * ReadyForQuery would end (an extended-protocol batch with no Sync, a COPY FROM STDIN): the backend answers
     * what it would before reading the Terminate, then exits; its answers are routed to the client as before, the
     * moves they imply leave the phase here ({@link Conversation#moveTo}), and nothing more is sent.
     */
    TERMINATING,
    /**
     * pgmux gave the backend up, as it could no longer tell what the backend would answer: the connection only
     * closes now, nothing more is sent to it, and nothing it still sends reaches anyone.
     */
    ABANDONED;

    private Set<ProtocolPhase> next;

    static {
        LOGIN.next = EnumSet.of(READY, LOGIN_FAILED);
        LOGIN_FAILED.next = EnumSet.noneOf(ProtocolPhase.class);
        READY.next = EnumSet.of(EXTENDED, SKIPPING, COPY_IN, COPY_IN_EXTENDED, TERMINATING, ABANDONED);
        EXTENDED.next = EnumSet.of(READY, SKIPPING, COPY_IN_EXTENDED, TERMINATING, ABANDONED);
        SKIPPING.next = EnumSet.of(READY, TERMINATING, ABANDONED);
        COPY_IN.next = EnumSet.of(READY, COPY_IN_EXTENDED, TERMINATING, ABANDONED);
        COPY_IN_EXTENDED.next = EnumSet.of(EXTENDED, COPY_IN, TERMINATING, ABANDONED);
        TERMINATING.next = EnumSet.of(ABANDONED);
        ABANDONED.next = EnumSet.noneOf(ProtocolPhase.class);
    }

    /** Whether a move from here to {@code target} is legal; staying where it is always is. */
    boolean canMoveTo(ProtocolPhase target) {
        return target == this || next.contains(target);
    }

    boolean isCopyIn() {
        return this == COPY_IN || this == COPY_IN_EXTENDED;
    }

    /** An extended-protocol batch is open with no Sync sent behind it: skipping after an error, or in its COPY. */
    boolean awaitsSync() {
        return this == EXTENDED || this == SKIPPING || this == COPY_IN_EXTENDED;
    }

    /** A Sync went out: it ends the batch, except in COPY FROM STDIN, where the backend ignores it. */
    ProtocolPhase afterSync() {
        return isCopyIn() || this == ABANDONED ? this : READY;
    }

    /**
     * A simple Query or FunctionCall went out: it ends a batch as a Sync would, except while the backend skips to
     * Sync (it ignores the request); in COPY FROM STDIN it fails the COPY on the backend, which ends it there.
     */
    ProtocolPhase afterSimpleRequest() {
        return switch (this) {
            case SKIPPING, ABANDONED -> this;
            case COPY_IN, COPY_IN_EXTENDED -> COPY_IN;
            default -> READY;
        };
    }

    /** A Parse, Bind, Describe, Execute or Close went out: a batch is open from now on. */
    ProtocolPhase afterExtendedRequest() {
        return switch (this) {
            case READY -> EXTENDED;
            case COPY_IN -> COPY_IN_EXTENDED;
            default -> this;
        };
    }

    /** CopyInResponse came; {@code byExecute}: the request it answers is an extended-protocol Execute. */
    ProtocolPhase copyStarted(boolean byExecute) {
        return this == READY && !byExecute ? COPY_IN : COPY_IN_EXTENDED;
    }

    /**
     * CopyInResponse came for a COPY whose end (CopyDone or CopyFail) the client had sent already (in one write with
     * the request that began it, say): the backend was past that COPY when it read what followed, so the phase is what
     * those messages made it, except that a COPY begun by Execute ({@code byExecute}) leaves its extended-protocol
     * batch open, owing a Sync, when no request was sent after the COPY's end ({@code requestsSince}). Never COPY
     * FROM STDIN: the backend reads no COPY data any more.
     */
    ProtocolPhase copyEndedAhead(boolean byExecute, boolean requestsSince) {
        return byExecute && !requestsSince && this == READY ? EXTENDED : this;
    }

    /** The COPY ended (CopyDone or CopyFail sent; CommandComplete, ErrorResponse or ReadyForQuery received). */
    ProtocolPhase copyEnded() {
        return switch (this) {
            case COPY_IN -> READY;
            case COPY_IN_EXTENDED -> EXTENDED;
            default -> this;
        };
    }
}
