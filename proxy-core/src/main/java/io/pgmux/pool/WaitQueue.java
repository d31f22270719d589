package io.pgmux.pool;

import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A pool's waiting clients, in the order they started waiting: an intrusive linked list whose nodes are the clients
 * themselves ({@link PoolClient}), so queueing, serving, leaving and sweeping allocate nothing, and a client leaves
 * from anywhere in the queue in constant time. Guarded by the pool lock; {@link #size()} may be read without it (the
 * fast paths serve themselves only when nobody waits). When the queue stops or starts being empty it tells its
 * owner (the pool, which tells the budgets it draws on).
 */
final class WaitQueue {
    /** Hears when the queue stops or starts being empty. */
    @FunctionalInterface
    interface Owner {
        void waitingChanged(boolean waiting);
    }

    /** Where a client is when it waits for no server: a queue nothing is ever added to. */
    static final WaitQueue NOT_WAITING = new WaitQueue(waiting -> {
        throw new IllegalStateException("no client waits in NOT_WAITING");
    });

    static final int MAX_PASSED_OVER = 16;
    static final int LOOKAHEAD = 64;

    private static final VarHandle SIZE;

    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(WaitQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Owner owner;
    private PoolClient first;
    private PoolClient last;
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

    /**
     * Queues {@code client}, which started waiting at {@code sinceNanos}, behind every other.
     *
     * @throws IllegalStateException when the client already waits (here or in another pool's queue)
     */
    void add(PoolClient client, long sinceNanos) {
        if (this == NOT_WAITING || client.queue != NOT_WAITING) {
            throw new IllegalStateException(client + " already waits in " + client.queue + ", cannot wait here too");
        }
        client.queue = this;
        client.waitingSinceNanos = sinceNanos;
        client.passedOver = 0;
        client.notified = false;
        client.prevWaiting = last;
        client.nextWaiting = null;
        if (last != null) {
            last.nextWaiting = client;
        } else {
            first = client;
        }
        last = client;
        size = size + 1;
        if (size == 1) {
            owner.waitingChanged(true);
        }
    }

    /** The longest-waiting client, or null. */
    PoolClient peek() {
        return first;
    }

    PoolClient poll() {
        PoolClient head = first;
        if (head != null) {
            remove(head);
        }
        return head;
    }

    /**
     * The client to serve with a server on {@code loop}. Normally the longest-waiting one; but when it is on
     * another event loop and one of the next {@link #LOOKAHEAD} waiters is on this one, that one, so the server need
     * not move between loops (a deregister and a register: two epoll_ctl calls, two thread hand-offs and a few
     * objects). The longest-waiting client is passed over at most {@link #MAX_PASSED_OVER} times, so its turn comes
     * at most that many releases late (at 1000 clients on a pool of 20, well under a millisecond of a wait of tens).
     *
     * <p>The two bounds are measured (bench/RESULTS.md, "Which waiter a server goes to"): pgbench -S with 1000
     * clients over two event loops moved the server on 26-28 % of hand-offs in strict FIFO order, 14-18 % with a
     * look-ahead of 16 and 4 passes, 6-8 % with 64 and 16 (no fewer with 64 and 32), and with no bound almost
     * never, but then the head could wait behind a whole loop's clients (p99 up to twice as long).
     */
    PoolClient pollFor(EventLoop loop) {
        PoolClient head = first;
        if (head == null || head.eventLoop() == loop || head.passedOver >= MAX_PASSED_OVER) {
            return poll();
        }
        PoolClient each = head.nextWaiting;
        for (int seen = 0; seen < LOOKAHEAD && each != null; seen++, each = each.nextWaiting) {
            if (each.eventLoop() == loop) {
                remove(each);
                head.passedOver++;
                return each;
            }
        }
        return poll();
    }

    /** Whether {@code client} waits in this queue. */
    boolean contains(PoolClient client) {
        return client.queue == this;
    }

    /**
     * Takes a queued client out, in constant time.
     *
     * @throws IllegalStateException when the client does not wait in this queue
     */
    void remove(PoolClient client) {
        if (client.queue != this) {
            throw new IllegalStateException(client + " does not wait in this queue");
        }
        PoolClient prev = client.prevWaiting;
        PoolClient next = client.nextWaiting;
        if (prev != null) {
            prev.nextWaiting = next;
        } else {
            first = next;
        }
        if (next != null) {
            next.prevWaiting = prev;
        } else {
            last = prev;
        }
        client.prevWaiting = null;
        client.nextWaiting = null;
        client.queue = NOT_WAITING;
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
