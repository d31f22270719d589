package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.admin.AdminSession;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;

/**
 * A client logged in to the admin console. The {@link io.pgmux.admin.AdminHandler} in front of the client
 * handler serves its messages; this phase forwards what still reaches the client connection: CancelRequests
 * quoting its key. It holds no pool and no server.
 */
final class ConsolePhase implements ClientPhase {
    private final AdminSession session;

    ConsolePhase(AdminSession session) {
        this.session = session;
    }

    @Override
    public void frameReceived(ByteBuf frame) {
        // The console's handler takes every message; one here would mean the pipeline is not what it should be.
        frame.release();
        session.fail(PgError.fatal(SqlState.INTERNAL_ERROR, "pgmux internal error: console message off its path"));
    }

    @Override
    public void cancelRequested() {
        session.cancelRequested();
    }
}
