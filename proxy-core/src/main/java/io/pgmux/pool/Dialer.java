package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.UpstreamTarget;
import java.util.function.Consumer;

/**
 * How the pools reach PostgreSQL: open a server connection's socket (the connection then reports its progress
 * to its slot), and send a CancelRequest on a connection of its own. In production the
 * {@link io.pgmux.server.ServerConnector}; tests reach an in-memory backend.
 */
interface Dialer {
    void connect(ServerConnection server, EventLoop loop);

    /** Sends a CancelRequest for {@code key} to {@code target}; {@code done} hears the outcome on {@code loop}. */
    void cancel(EventLoop loop, UpstreamTarget target, BackendKeyData key, Consumer<CancelOutcome> done);
}
