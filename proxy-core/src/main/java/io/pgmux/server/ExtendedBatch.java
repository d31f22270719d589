package io.pgmux.server;

/**
 * Where a backend stands in the extended query protocol, as far as pgmux has sent to it (protocol docs,
 * "Extended Query"): whether it owes a ReadyForQuery only after a Sync, and whether it is skipping messages.
 */
enum ExtendedBatch {
    /** No extended-protocol message since the last Sync or simple Query: each request ends with ReadyForQuery. */
    NONE,
    /** Extended-protocol messages since then: the backend answers each, but is ready only after a Sync. */
    OPEN,
    /**
     * One of them failed and no Sync has been sent since: the backend ignores every message (simple Query and
     * FunctionCall included) until the next Sync.
     */
    FAILED
}
