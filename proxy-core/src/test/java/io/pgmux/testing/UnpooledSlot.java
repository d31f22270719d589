package io.pgmux.testing;

import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerSlot;

/**
 * The record of a server connection no pool owns, for tests and benchmarks of the connection alone: it hears
 * every event of the connection and does nothing with it. Extend it to watch an event or to move the state.
 */
public class UnpooledSlot extends ServerSlot {
    @Override
    public void connected(ServerConnection server) {
    }

    @Override
    public void loginSucceeded(ServerConnection server) {
    }

    @Override
    public void loginFailed(ServerConnection server, PgError error, boolean retryable) {
    }

    @Override
    public void closed(ServerConnection server, PgError reason) {
    }
}
