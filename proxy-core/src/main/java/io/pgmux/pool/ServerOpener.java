package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.server.ServerConnection;

/**
 * Opens a server connection's socket on an event loop; the connection then reports its progress to its slot.
 * In production {@link io.pgmux.server.ServerConnector#connect}; tests open in-memory connections.
 */
@FunctionalInterface
interface ServerOpener {
    void connect(ServerConnection server, EventLoop loop);
}
