package io.pgmux.client;

/**
 * How pgmux itself, with no server, stands in the client's current extended-protocol batch; its Sync is then
 * answered by pgmux too.
 */
enum LocalBatch {
    /** Nothing answered by pgmux since the last Sync. */
    NONE,
    /** pgmux answered the batch's messages so far (a Parse of a known statement): the Sync gets ReadyForQuery. */
    ANSWERED,
    /**
     * pgmux failed a message of the batch (a request cancelled while it waited for a server): as PostgreSQL after
     * an error, every message up to the Sync is ignored, and the Sync gets ReadyForQuery.
     */
    FAILED
}
