package io.pgmux.server;

/**
 * A request a backend owes answers to, by what ends its answers (protocol docs, "Message Flow"). The other half
 * of an entry of the {@link ResponseQueue} is its {@link ResponseAction}.
 */
enum RequestType {
    /**
     * A simple Query or FunctionCall: everything up to ReadyForQuery answers it. Queued as {@link #EXTENDED}
     * instead while the backend skips to Sync, which ignores it.
     */
    SIMPLE,
    /** A Sync: its answer is the ReadyForQuery that ends the extended-protocol batch. */
    SYNC,
    /**
     * A Parse, Bind, Describe, Execute or Close: answered by one terminal message (ParseComplete, BindComplete,
     * CloseComplete, RowDescription, NoData, CommandComplete, EmptyQueryResponse, PortalSuspended) or an error;
     * after an error the backend skips it until Sync, and a ReadyForQuery finds it unanswered: it failed.
     */
    EXTENDED;

    /** Whether a ReadyForQuery answers this request (else one finding it still queued means it was skipped). */
    boolean endsWithReadyForQuery() {
        return this != EXTENDED;
    }
}
