package io.pgmux.pool;

import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A pool's waiting clients, in the order they started waiting: an intrusive linked list, so queueing, serving,
 * leaving and sweeping allocate nothing under the pool lock. Guarded by the lock; {@link #size()} may be read
 * without it (the fast paths serve themselves only when nobody waits). When the queue stops or starts being
 * empty it tells its owner (the pool, which tells the budgets it draws on).
 */
final class WaitQueue {
    /** Hears when the queue stops or starts being empty. */
    @FunctionalInterface
    interface Owner {
        void waitingChanged(boolean waiting);
    }

    private static final int MAX_PASSED_OVER = 4;
    private static final int LOOKAHEAD = 16;

    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(WaitQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Owner owner;
    private Waiter first;
    private Waiter last;
    /*
     * Read without the lock by the fast paths. Growing is a volatile write: a queued client then looks at the idle
     * lists, and a releasing loop parks its server idle, fences and reads this size (PoolCore.release); one of the
     * two must see the other. Shrinking is a release write, with no fence: a fast path that still reads the larger
     * size only takes the lock it could have skipped, and every waited-for transaction takes a waiter out.
     */
    private volatile int size;

    WaitQueue(Owner owner) {
        this.owner = owner;
    }

    void add(Waiter waiter) {
        waiter.prev = last;
        waiter.next = null;
        if (last != null) {
            last.next = waiter;
        } else {
            first = waiter;
        }
        last = waiter;
        size = size + 1;
        if (size == 1) {
            owner.waitingChanged(true);
        }
    }

    /** The longest-waiting client, or null. */
    Waiter peek() {
        return first;
    }

    Waiter poll() {
        Waiter head = first;
        if (head != null) {
            remove(head);
        }
        return head;
    }

    /**
     * The waiter to serve with a server on {@code loop}. Normally the longest-waiting one; but when it is on
     * another event loop and one of the next few waiters is on this one, that one, so the server need not move
     * between loops (a deregister and a register: two epoll_ctl calls and two thread hand-offs). The head is
     * passed over at most {@link #MAX_PASSED_OVER} times, so FIFO order bends by a few releases at most.
     */
    Waiter pollFor(EventLoop loop) {
        Waiter head = first;
        if (head == null || head.client().eventLoop() == loop || head.passedOver >= MAX_PASSED_OVER) {
            return poll();
        }
        Waiter each = head.next;
        for (int seen = 0; seen < LOOKAHEAD && each != null; seen++, each = each.next) {
            if (each.client().eventLoop() == loop) {
                remove(each);
                head.passedOver++;
                return each;
            }
        }
        return poll();
    }

    /** The waiter of {@code client}, or null when it is not queued. */
    Waiter find(PoolClient client) {
        for (Waiter each = first; each != null; each = each.next) {
            if (each.client() == client) {
                return each;
            }
        }
        return null;
    }

    /** Takes a queued waiter out. */
    void remove(Waiter waiter) {
        if (waiter.prev != null) {
            waiter.prev.next = waiter.next;
        } else {
            first = waiter.next;
        }
        if (waiter.next != null) {
            waiter.next.prev = waiter.prev;
        } else {
            last = waiter.prev;
        }
        waiter.prev = null;
        waiter.next = null;
        int fewer = size - 1;
        SIZE.setRelease(this, fewer);
        if (fewer == 0) {
            owner.waitingChanged(false);
        }
    }

    boolean isEmpty() {
        return first == null;
    }

    int size() {
        return size;
    }
}
