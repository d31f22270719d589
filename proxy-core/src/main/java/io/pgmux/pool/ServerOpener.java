package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import java.util.function.Consumer;

/**
 * Opens a server connection's socket on an event loop; the connection then reports its progress to its slot.
 * In production {@link io.pgmux.server.ServerConnector#connect}; tests open in-memory connections. It also sends
 * the CancelRequests for a server's backend ({@link io.pgmux.server.ServerConnector#cancel}).
 */
@FunctionalInterface
interface ServerOpener {
    void connect(ServerConnection server, EventLoop loop);

    /**
     * Sends a CancelRequest for {@code server}'s backend and tells {@code done}, on the server's event loop, what
     * became of it. Without a way to reach the database (in-memory tests), nothing is sent.
     */
    default void cancel(ServerConnection server, Consumer<CancelOutcome> done) {
        done.accept(CancelOutcome.NOT_SENT);
    }
}
