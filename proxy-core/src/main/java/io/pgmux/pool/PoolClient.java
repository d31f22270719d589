package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;

/**
 * A client of a pool. While it waits for a server it is its own node in the pool's {@link WaitQueue}: the links,
 * when it started waiting and what the queue has done to it live here, so waiting allocates nothing and leaving the
 * queue takes constant time. The pool calls back on the client's own event loop; the fields below are the pool's,
 * guarded by its lock.
 */
public abstract class PoolClient {
    /** The queue this client waits in; {@link WaitQueue#NOT_WAITING} when it waits in none. */
    WaitQueue queue = WaitQueue.NOT_WAITING;
    PoolClient prevWaiting;
    PoolClient nextWaiting;
    long waitingSinceNanos;
    /** How often a client behind this one was served first in this wait (see {@link WaitQueue#pollFor}). */
    int passedOver;
    /** query_wait_notify has been sent in this wait. */
    boolean notified;

    protected PoolClient() {
    }

    public abstract EventLoop eventLoop();

    /**
     * A server is now the client's; it is registered on the client's event loop. If the client no longer needs
     * it, it must hand it back with {@link PoolManager#release}.
     */
    public abstract void serverAssigned(ServerConnection server);

    /**
     * The client has waited query_wait_notify ({@code waitedMillis}) and is still waiting, for {@code reason};
     * called once per wait, on the client's event loop. {@code notice} is the NOTICE that tells an application why
     * ({@link WaitNotice}, made from what the pool knew when it decided the reason): a client that speaks to an
     * application sends it.
     */
    public abstract void waitingLong(long waitedMillis, WaitReason reason, PgError notice);

    /** No server will come, for the reason given (an upstream refusal, or query_wait_timeout). */
    public abstract void acquireFailed(PgError error);

    /** When this wait started, in the pool's ticker's nanoseconds; meaningful while the client waits. */
    final long waitingSince() {
        return waitingSinceNanos;
    }

    /** The client queued after this one, or null; for sweeps that walk the queue. */
    final PoolClient nextWaiting() {
        return nextWaiting;
    }
}
