package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.frontend.Describe;
import io.pgmux.protocol.frontend.Query;

/**
 * A client asked for something pgmux cannot do in its pool mode (pinning: error). The error is an ERROR: where the
 * message can be refused on its server ({@link #standIn}) the session goes on, as after a statement PostgreSQL
 * refuses; elsewhere the client gets it as FATAL and is closed.
 */
public final class UnsupportedRequestException extends RuntimeException {
    private final PgError error;

    UnsupportedRequestException(PgError error) {
        super(error.message());
        this.error = error;
    }

    public PgError error() {
        return error;
    }

    /**
     * What fails on the server in place of the refused message with tag {@code tag}, certain to fail as the
     * client's would have (a transaction block around it fails too, and after an extended-protocol message the
     * backend skips to Sync): a Query for a Query or FunctionCall, a Describe for an extended-protocol message. It
     * names a statement pgmux never prepares.
     */
    public static ByteBuf standIn(ByteBufAllocator alloc, byte tag) {
        if (tag == FrontendTag.QUERY || tag == FrontendTag.FUNCTION_CALL) {
            return Query.encode(alloc, "EXECUTE " + Statement.NEVER_PREPARED);
        }
        return Describe.encode(alloc, Describe.STATEMENT, Statement.NEVER_PREPARED);
    }
}
