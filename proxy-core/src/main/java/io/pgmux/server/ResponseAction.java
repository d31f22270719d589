package io.pgmux.server;

/**
 * What becomes of the answers to one queued request: the second half of a {@link ResponseQueue} entry beside its
 * {@link RequestType}. Each action names the payload it carries, if any.
 */
enum ResponseAction {
    /** A client's request: its answers go to the client. No payload. */
    FORWARD,
    /** A client's request whose success pgmux must learn: answers to the client, then an {@link Outcome}. */
    TRACK,
    /** A Parse or Close pgmux slipped in ahead of a client's message: answers dropped, then an {@link Outcome}. */
    SWALLOW,
    /** pgmux's own Query: answers go to its {@link InternalQuery}, never to the client. */
    INTERNAL,
    /**
     * A client's message pgmux refused with its own error (an unknown or duplicate statement name): a stand-in that
     * fails on the backend went in its place, so that the backend skips to Sync as it would have; the stand-in's
     * answers are dropped and pgmux's ErrorResponse (the payload, a buffer) goes to the client instead.
     */
    REPLACE,
    /**
     * A client's simple request pgmux answers itself (a DEALLOCATE of one of the client's statement names): an empty
     * Query stood in for it, which neither fails nor changes anything on the backend; its EmptyQueryResponse is
     * dropped, and at its ReadyForQuery the payload, a {@link LocalAnswer}, gives the client's answer for the
     * transaction status that ReadyForQuery reports, which then goes to the client too.
     */
    ANSWER;

    /** Whether the client receives the backend's own answers to such a request. */
    boolean reachesClient() {
        return this == FORWARD || this == TRACK;
    }
}
