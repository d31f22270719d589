package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lends servers to clients and takes them back: the acquire/release core, with the budgets and the fairness
 * between pools that share one.
 *
 * <p>A client and the server lent to it run on one event loop, and each pool keeps its idle and active servers per
 * loop ({@link LoopServers}). So the common case, a client taking an idle server of its own loop while nobody
 * waits, and giving it back while no pool waits on a budget it counts against, touches only that loop's lists
 * and takes no lock. Everything else (waiting, opening, closing, handing a server to another loop, anything that
 * changes a budget) happens under the {@link PoolLock}, with the work it finds run after it.
 */
final class PoolCore {
    private final PoolLock lock;
    private final Ticker ticker;
    private final EventLoops loops;
    private PoolRegistry registry;
    private Fairness fairness;
    private Janitor janitor;
    private Connections connections;
    /** Shutting down: idle servers close instead of waiting for clients. */
    private boolean closingAll;
    /** Databases whose clients get no server now; written under the lock, read anywhere. */
    private volatile Pause pause = Pause.NONE;

    PoolCore(PoolLock lock, Ticker ticker, EventLoops loops) {
        this.lock = lock;
        this.ticker = ticker;
        this.loops = loops;
    }

    void wire(PoolRegistry registry, Fairness fairness, Janitor janitor, Connections connections) {
        this.registry = registry;
        this.fairness = fairness;
        this.janitor = janitor;
        this.connections = connections;
    }

    /** Opening and closing connections, and what servers report while they log in and close. */
    Connections connections() {
        return connections;
    }

    // ---- clients ----------------------------------------------------------------------------------------------

    /**
     * Asks for a server for {@code client}, on the client's event loop. The answer comes on that loop:
     * {@link PoolClient#serverAssigned} (at once, when an idle server of this loop is free) or
     * {@link PoolClient#acquireFailed}. Until then the client waits in the pool's queue.
     */
    void acquire(ServerPool pool, PoolClient client) {
        LoopServers here = pool.on(client.eventLoop());
        if (pool.waiters.size() == 0 && !isPaused(pool)) {
            PooledServer idle = here.idle.peekFirst();
            if (idle != null && !idle.isStale() && !janitor.needsCheck(idle)) {
                idle.moveTo(here.active);
                pool.stats().serverAssigned(0);
                client.serverAssigned(idle.server());
                return;
            }
        }
        long since = ticker.nanoTime();
        Work work = lock.enter();
        try {
            closeUnwanted(here, work);
            PooledServer idle = here.idle.peekFirst();
            if (isPaused(pool)) {
                pool.waiters.add(client, since);
                return;
            }
            if (idle != null && !janitor.needsCheck(idle)) {
                assign(idle, client, 0, work);
                return;
            }
            pool.waiters.add(client, since);
            if (idle != null) {
                janitor.startCheck(idle, work);
            } else {
                serveWaiters(pool, work);
            }
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Takes a client out of the queue. A server already on its way to it arrives anyway (see
     * {@link PoolClient#serverAssigned}).
     *
     * @return whether the client was still waiting; false when a server is on its way
     */
    boolean cancelWait(ServerPool pool, PoolClient client) {
        Work work = lock.enter();
        try {
            if (!pool.waiters.contains(client)) {
                return false;
            }
            pool.waiters.remove(client);
            pool.stats().waitEnded(micros(ticker.nanoTime() - client.waitingSince()));
            return true;
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Takes back a clean server from its client, on their event loop: to the longest-waiting client of its pool,
     * to another pool that waits on a budget it counts against, or to this loop's idle list. A server that is no
     * longer usable is left to its close handling.
     */
    void release(ServerConnection server) {
        PooledServer slot = PooledServer.of(server);
        if (!server.isUsable()) {
            return;
        }
        ServerPool pool = slot.pool;
        long now = ticker.nanoTime();
        // The server came back from a transaction: its upstream answers (for readiness).
        pool.breaker().answered(now);
        LoopServers here = pool.on(server.eventLoop());
        if (slot.list == here.active && slot.cancelsInFlight == 0 && pool.waiters.size() == 0 && !slot.isStale()
                && noPressure(slot.budgets)) {
            slot.idleSinceNanos = now;
            slot.moveTo(here.idle);
            // Pairs with a waiter or a short budget announcing itself under the lock and then looking at the idle
            // lists: one of the two sides sees the other, so no server stays idle while someone waits for it.
            VarHandle.fullFence();
            if (pool.waiters.size() == 0 && noPressure(slot.budgets)) {
                return;
            }
        }
        Work work = lock.enter();
        try {
            placeReleased(slot, work);
        } finally {
            lock.exit(work);
        }
    }

    private static boolean noPressure(List<Budget> budgets) {
        for (int i = 0, n = budgets.size(); i < n; i++) {
            if (budgets.get(i).pressure() != 0) {
                return false;
            }
        }
        return true;
    }

    /** Marks a server as being reset (session mode, or a client that left mid-transaction). */
    void resetting(ServerConnection server) {
        Work work = lock.enter();
        try {
            PooledServer slot = PooledServer.of(server);
            if (!slot.state().isLeaving()) {
                slot.moveTo(slot.pool.resetting);
            }
        } finally {
            lock.exit(work);
        }
    }

    /** A reset finished: the server is clean again. */
    void resetDone(ServerConnection server) {
        Work work = lock.enter();
        try {
            PooledServer slot = PooledServer.of(server);
            if (slot.state() == ServerState.RESETTING && server.isUsable()) {
                placeReleased(slot, work);
            }
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Decides where a server a client is done with goes, on its event loop: held while a cancel sent for it is
     * unanswered (see {@link Cancels}); closed when its configuration changed
     * or a budget it counts against holds more than it now allows; to a starving pool (closed, to make room);
     * else to a waiter or the idle list (closed instead when its pool has left the configuration).
     */
    void placeReleased(PooledServer slot, Work work) {
        if (Cancels.hold(slot)) {
            return;
        }
        if (slot.isOutdated() || overdrawn(slot.budgets)) {
            connections.retire(slot, null, work);
            return;
        }
        ServerPool starving = fairness.starvingPoolBehind(slot.pool);
        if (starving != null) {
            // Another pool waits on a budget this server counts against and holds less than its share: give it
            // the connection's place instead of keeping the connection in this pool.
            connections.retire(slot, starving, work);
            return;
        }
        handToWaiterOrIdle(slot, work);
    }

    private static boolean overdrawn(List<Budget> budgets) {
        for (int i = 0, n = budgets.size(); i < n; i++) {
            if (budgets.get(i).isOverdrawn()) {
                return true;
            }
        }
        return false;
    }

    /** To the next waiter, else to the idle list of its loop; on the server's event loop, under the lock. */
    void handToWaiterOrIdle(PooledServer slot, Work work) {
        ServerPool pool = slot.pool;
        EventLoop loop = slot.server().eventLoop();
        PoolClient next = isPaused(pool) ? null : pool.waiters.pollFor(loop);
        if (next != null) {
            assign(slot, next, ticker.nanoTime() - next.waitingSince(), work);
            return;
        }
        if (pool.setup().retired()) {
            connections.retire(slot, null, work);
            return;
        }
        if (slot.state() != ServerState.IDLE) {
            slot.idleSinceNanos = ticker.nanoTime();
            slot.moveTo(pool.on(loop).idle);
        }
        // An idle server is room for pools short of a budget it counts against: they may close it.
        connections.serveWaitingPools(work);
    }

    /**
     * Lends {@code slot} to {@code client}, on the server's event loop, under the lock: straight onto the active
     * list of a client of the same loop, else onto the list of servers being handed over to another loop.
     */
    private void assign(PooledServer slot, PoolClient client, long waitedNanos, Work work) {
        EventLoop target = client.eventLoop();
        ServerConnection server = slot.server();
        slot.moveTo(target == server.eventLoop() ? slot.pool.on(target).active : slot.pool.handingOver);
        slot.pool.stats().serverAssigned(micros(waitedNanos));
        work.deliver(server, client);
    }

    /** A server handed to a client of another loop has arrived there: onto that loop's active list. */
    void arrived(ServerConnection server, EventLoop loop) {
        PooledServer slot = PooledServer.of(server);
        Work work = lock.enter();
        try {
            if (slot.list == slot.pool.handingOver && server.channel().eventLoop() == loop) {
                slot.moveTo(slot.pool.on(loop).active);
            }
        } finally {
            lock.exit(work);
        }
    }

    // ---- PAUSE and RESUME ----------------------------------------------------------------------------------------

    /** Whether the pool's clients get no server now. */
    boolean isPaused(ServerPool pool) {
        return pause.covers(pool.key().database());
    }

    Pause pause() {
        return pause;
    }

    /** From now on, the pools of {@code database} (or all) hand no server to a client; under the lock. */
    void pause(Pause next) {
        pause = next;
    }

    /** Lifts a pause: idle servers go to the waiting clients, and connections open for those beyond them. */
    void resume(Pause next, Work work) {
        pause = next;
        for (ServerPool pool : registry.all()) {
            if (!isPaused(pool) && !pool.waiters.isEmpty()) {
                serveWaiters(pool, work);
            }
        }
        connections.serveWaitingPools(work);
    }

    // ---- the loops' own lists, tidied on their loop -----------------------------------------------------------

    /** Asks {@code servers}' loop to tidy its idle list, once; under the lock. */
    void postTidy(LoopServers servers, Work work) {
        if (!servers.tidyPosted) {
            servers.tidyPosted = true;
            work.tidy(servers);
        }
    }

    /**
     * On the loop of {@code servers}: closes idle servers whose configuration changed or whose budget holds more
     * than it allows, hands idle ones to the pool's waiters, and closes idle ones that pools short of a budget
     * they count against are waiting for.
     */
    void tidy(LoopServers servers) {
        ServerPool pool = servers.pool;
        Work work = lock.enter();
        try {
            servers.tidyPosted = false;
            closeUnwanted(servers, work);
            long now = ticker.nanoTime();
            PooledServer each;
            boolean paused = isPaused(pool);
            while ((each = servers.idle.peekFirst()) != null) {
                if (pool.waiters.isEmpty() || paused) {
                    ServerPool needy = fairness.needyPoolBehind(pool);
                    if (needy == null) {
                        break;
                    }
                    connections.retire(servers.idle.peekLast(), needy, work);
                } else if (!janitor.needsCheck(each, now)) {
                    PoolClient next = pool.waiters.pollFor(servers.loop);
                    assign(each, next, now - next.waitingSince(), work);
                } else if (pool.waiters.size() > pool.checking.size()) {
                    janitor.startCheck(each, work);
                } else {
                    break;
                }
            }
            if (pool.hasUnservedWaiters()) {
                connections.openConnections(pool, work);
            }
        } finally {
            lock.exit(work);
        }
    }

    /** Idle servers that must not serve again: of an older configuration, or beyond a shrunk budget. */
    private void closeUnwanted(LoopServers servers, Work work) {
        PooledServer each = servers.idle.peekLast();
        while (each != null) {
            PooledServer warmer = each.prev;
            if (each.isStale() || closingAll || overdrawn(each.budgets)) {
                connections.retire(each, null, work);
            }
            each = warmer;
        }
    }

    // ---- opening and closing ----------------------------------------------------------------------------------

    /** Idle servers of the pool on other loops go to its waiters; beyond those, new connections are opened. */
    private void serveWaiters(ServerPool pool, Work work) {
        for (LoopServers each : pool.byLoop()) {
            if (!each.idle.isEmpty()) {
                postTidy(each, work);
            }
        }
        connections.openConnections(pool, work);
    }

    /** A check passed: the server is alive; it serves a waiter or goes idle. */
    void checkPassed(PooledServer slot) {
        Work work = lock.enter();
        try {
            if (slot.state() == ServerState.CHECKING && slot.server().isUsable()) {
                slot.pool.breaker().answered(ticker.nanoTime());
                placeReleased(slot, work);
            }
        } finally {
            lock.exit(work);
        }
    }

    /** Closes every idle server, each on its loop; linked ones close with their clients. */
    void closeAll() {
        Work work = lock.enter();
        try {
            closingAll = true;
            for (ServerPool pool : registry.all()) {
                for (LoopServers each : pool.byLoop()) {
                    if (!each.idle.isEmpty()) {
                        postTidy(each, work);
                    }
                }
            }
        } finally {
            lock.exit(work);
        }
    }

    /**
     * After a reload: idle servers of an older configuration or beyond a shrunk budget close, and waiting clients
     * get what grown budgets now allow.
     */
    void reconfigured(Work work) {
        for (ServerPool pool : registry.all()) {
            for (LoopServers each : pool.byLoop()) {
                if (!each.idle.isEmpty()) {
                    postTidy(each, work);
                }
            }
        }
        connections.serveWaitingPools(work);
    }

    static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(Math.max(0, nanos));
    }
}
