package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.server.ServerState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The server connections of one pool in one state: an intrusive doubly linked list (the links live in
 * {@link PooledServer}), so adding and removing take constant time and allocate nothing. The first element is the
 * most recently added: the idle list is a stack whose head is the warmest connection and whose tail the coldest.
 *
 * <p>A list is guarded either by the pool lock or, for the per-event-loop lists, by being touched only on its
 * event loop; {@link #guarded()} says whether the current thread may touch it. Its size may be read from any
 * thread.
 */
final class ServerList {
    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(ServerList.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Where a connection goes when it has gone: the CLOSED state, a list that keeps nothing. */
    static final ServerList GONE = new ServerList(ServerState.CLOSED);

    private final ServerState state;
    private final EventLoop loop;
    private final PoolLock lock;
    PooledServer first;
    PooledServer last;
    /** Written only by the guarding thread, with release semantics (no fence on the hot path); read by anyone. */
    private volatile int size;

    private ServerList(ServerState gone) {
        this.state = gone;
        this.loop = null;
        this.lock = null;
    }

    /** A list guarded by the pool lock. */
    ServerList(ServerState state, PoolLock lock) {
        this.state = state;
        this.loop = null;
        this.lock = lock;
    }

    /** A list touched only on {@code loop}. */
    ServerList(ServerState state, EventLoop loop) {
        this.state = state;
        this.loop = loop;
        this.lock = null;
    }

    ServerState state() {
        return state;
    }

    /** The event loop this list is confined to, or null when the pool lock guards it. */
    EventLoop loop() {
        return loop;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether the current thread may change this list. */
    boolean guarded() {
        if (this == GONE) {
            return true;
        }
        return loop != null ? loop.inEventLoop() : lock.isHeldByCurrentThread();
    }

    PooledServer peekFirst() {
        return first;
    }

    PooledServer peekLast() {
        return last;
    }

    // Only PooledServer.moveTo links and unlinks, so that a connection's list and state change together.

    void linkFirst(PooledServer each) {
        if (this == GONE) {
            return;
        }
        each.prev = null;
        each.next = first;
        if (first != null) {
            first.prev = each;
        } else {
            last = each;
        }
        first = each;
        SIZE.setRelease(this, size + 1);
    }

    void unlink(PooledServer each) {
        if (each.prev != null) {
            each.prev.next = each.next;
        } else {
            first = each.next;
        }
        if (each.next != null) {
            each.next.prev = each.prev;
        } else {
            last = each.prev;
        }
        each.prev = null;
        each.next = null;
        SIZE.setRelease(this, size - 1);
    }

    @Override
    public String toString() {
        return state + " (" + size + ")";
    }
}
