package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;

/** A client waiting for a server. The pool calls back on the client's own event loop. */
public interface PoolClient {
    EventLoop eventLoop();

    /**
     * A server is now the client's; it is registered on the client's event loop. If the client no longer needs
     * it, it must hand it back with {@link PoolManager#release}.
     */
    void serverAssigned(ServerConnection server);

    /** The client has waited query_wait_notify and is still waiting; called once per wait. */
    void waitingLong(long waitedMillis);

    /** No server will come, for the reason given (an upstream refusal, or query_wait_timeout). */
    void acquireFailed(PgError error);
}
