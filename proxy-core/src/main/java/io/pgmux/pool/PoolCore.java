package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.protocol.PgError;
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
    /**
     * Connections one pool may have connecting or logging in at once, so that a cold start of thousands of
     * clients reaches the database as a steady trickle of logins, not a stampede.
     */
    static final int MAX_OPENING_PER_POOL = 4;

    private final PoolLock lock;
    private final Ticker ticker;
    private final EventLoops loops;
    private PoolRegistry registry;
    private Fairness fairness;
    private Janitor janitor;
    private int round;
    /** Shutting down: idle servers close instead of waiting for clients. */
    private boolean closingAll;

    PoolCore(PoolLock lock, Ticker ticker, EventLoops loops) {
        this.lock = lock;
        this.ticker = ticker;
        this.loops = loops;
    }

    void wire(PoolRegistry registry, Fairness fairness, Janitor janitor) {
        this.registry = registry;
        this.fairness = fairness;
        this.janitor = janitor;
    }

    // ---- clients ----------------------------------------------------------------------------------------------

    /**
     * Asks for a server for {@code client}, on the client's event loop. The answer comes on that loop:
     * {@link PoolClient#serverAssigned} (at once, when an idle server of this loop is free) or
     * {@link PoolClient#acquireFailed}. Until then the client waits in the pool's queue.
     */
    void acquire(ServerPool pool, PoolClient client) {
        LoopServers here = pool.on(client.eventLoop());
        if (pool.waiters.size() == 0) {
            PooledServer idle = here.idle.peekFirst();
            if (idle != null && !idle.isStale() && !janitor.needsCheck(idle)) {
                idle.moveTo(here.active);
                pool.stats().serverAssigned(0);
                client.serverAssigned(idle.server());
                return;
            }
        }
        Waiter waiter = new Waiter(client, ticker.nanoTime());
        Work work = lock.enter();
        try {
            closeUnwanted(here, work);
            PooledServer idle = here.idle.peekFirst();
            if (idle != null && !janitor.needsCheck(idle)) {
                assign(idle, client, 0, work);
                return;
            }
            pool.waiters.add(waiter);
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
     * Takes a leaving client out of the queue. A server already on its way to it arrives anyway and is handed
     * back by the client (see {@link PoolClient#serverAssigned}).
     */
    void cancelWait(ServerPool pool, PoolClient client) {
        Work work = lock.enter();
        try {
            Waiter waiter = pool.waiters.find(client);
            if (waiter != null) {
                pool.waiters.remove(waiter);
                pool.stats().waitEnded(micros(ticker.nanoTime() - waiter.sinceNanos()));
            }
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
        if (pool.waiters.size() == 0 && !slot.isStale() && noPressure(slot.budgets)) {
            LoopServers here = pool.on(server.eventLoop());
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
     * Decides where a server a client is done with goes, on its event loop: closed when its configuration changed
     * or a budget it counts against holds more than it now allows; to a starving pool (closed, to make room);
     * else to a waiter or the idle list (closed instead when its pool has left the configuration).
     */
    private void placeReleased(PooledServer slot, Work work) {
        if (slot.isOutdated() || overdrawn(slot.budgets)) {
            retire(slot, null, work);
            return;
        }
        ServerPool starving = fairness.starvingPoolBehind(slot.pool);
        if (starving != null) {
            // Another pool waits on a budget this server counts against and holds less than its share: give it
            // the connection's place instead of keeping the connection in this pool.
            retire(slot, starving, work);
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

    /** On the server's event loop, under the lock. */
    private void handToWaiterOrIdle(PooledServer slot, Work work) {
        ServerPool pool = slot.pool;
        EventLoop loop = slot.server().eventLoop();
        Waiter next = pool.waiters.pollFor(loop);
        if (next != null) {
            assign(slot, next.client(), ticker.nanoTime() - next.sinceNanos(), work);
            return;
        }
        if (pool.setup().retired()) {
            retire(slot, null, work);
            return;
        }
        if (slot.state() != ServerState.IDLE) {
            slot.idleSinceNanos = ticker.nanoTime();
            slot.moveTo(pool.on(loop).idle);
        }
        // An idle server is room for pools short of a budget it counts against: they may close it.
        serveWaitingPools(work);
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
            while ((each = servers.idle.peekFirst()) != null) {
                if (pool.waiters.isEmpty()) {
                    ServerPool needy = fairness.needyPoolBehind(pool);
                    if (needy == null) {
                        break;
                    }
                    retire(servers.idle.peekLast(), needy, work);
                } else if (!janitor.needsCheck(each, now)) {
                    Waiter next = pool.waiters.pollFor(servers.loop);
                    assign(each, next.client(), now - next.sinceNanos(), work);
                } else if (pool.waiters.size() > pool.checking.size()) {
                    janitor.startCheck(each, work);
                } else {
                    break;
                }
            }
            if (pool.hasUnservedWaiters()) {
                openConnections(pool, work);
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
                retire(each, null, work);
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
        openConnections(pool, work);
    }

    /**
     * Opens connections for the pool's waiters while every budget has room, making room by closing idle servers
     * of pools that share a full budget. Never opens more than there are waiters to serve.
     */
    void openConnections(ServerPool pool, Work work) {
        long now = ticker.nanoTime();
        while (pool.hasUnservedWaiters() && pool.openingCount() < MAX_OPENING_PER_POOL
                && pool.breaker().allowsOpening(now)) {
            Budget full = pool.exhaustedBudget(now);
            if (full != null) {
                fairness.reclaimIdle(full, pool, work);
                return;
            }
            openOne(pool, pickLoop(pool), work);
        }
    }

    private EventLoop pickLoop(ServerPool pool) {
        // Open on the loop of a waiter that has no connection coming yet, so the hand-off needs no move.
        int index = 0;
        int opening = pool.openingCount();
        for (Waiter each = pool.waiters.peek(); each != null; each = each.next()) {
            if (index++ == opening) {
                return each.client().eventLoop();
            }
        }
        return loops.next();
    }

    /**
     * Counts a new connection against the pool's budgets and records it to be made after the lock (see
     * {@link #made}); until then it counts as opening.
     */
    void openOne(ServerPool pool, EventLoop loop, Work work) {
        PoolSetup setup = pool.setup();
        for (Budget each : setup.budgets()) {
            each.take();
        }
        setup.breaker().attemptStarted();
        pool.reserved++;
        work.open(pool, setup, loop);
    }

    /** A connection counted by {@link #openOne} has been made: onto the connecting list, then connect. */
    void made(PooledServer slot) {
        Work work = lock.enter();
        try {
            slot.pool.reserved--;
            slot.moveTo(slot.pool.connecting);
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Takes a server out of service: onto the closing list, where it keeps counting against its budgets until its
     * backend has really gone (the server closes the socket after Terminate): the database must never see more
     * than the caps, even for a moment. {@code beneficiary}, if any, opens its connection then.
     */
    void retire(PooledServer slot, ServerPool beneficiary, Work work) {
        slot.moveTo(slot.pool.closing);
        for (Budget each : slot.budgets) {
            each.leaving();
        }
        if (beneficiary != null) {
            slot.closingFor = beneficiary;
            beneficiary.awaitingRoom++;
        }
        work.close(slot.server());
    }

    /** After room appeared or idle servers did: pools with unserved waiters open what now fits, least served first. */
    void serveWaitingPools(Work work) {
        int thisRound = ++round;
        ServerPool next;
        while ((next = fairness.leastServedWaiting(registry.all(), thisRound)) != null) {
            next.servedRound = thisRound;
            openConnections(next, work);
        }
    }

    // ---- server events: on the server's event loop ------------------------------------------------------------

    void serverConnected(PooledServer slot) {
        Work work = lock.enter();
        try {
            if (slot.state() == ServerState.CONNECTING) {
                slot.moveTo(slot.pool.login);
            }
        } finally {
            lock.exit(work);
        }
    }

    void serverLoggedIn(PooledServer slot) {
        ServerPool pool = slot.pool;
        Work work = lock.enter();
        try {
            pool.lastConnectError = null;
            pool.stats().serverConnected();
            CircuitBreaker breaker = pool.breaker();
            breaker.answered(ticker.nanoTime());
            int failedBefore = breaker.consecutiveFailures();
            if (breaker.succeeded()) {
                work.info("upstream {} answers again after {} failed connection attempt(s)", breaker.upstream(),
                        failedBefore);
                openForEveryPoolBehind(breaker, work);
            }
            pool.welcome(slot.server().welcomeParameters());
            if (slot.state() != ServerState.LOGIN) {
                return;
            }
            if (slot.isOutdated()) {
                retire(slot, null, work);
            } else {
                handToWaiterOrIdle(slot, work);
            }
            // A login slot is free again: carry on opening for the remaining waiters.
            openConnections(pool, work);
        } finally {
            lock.exit(work);
        }
    }

    void serverLoginFailed(PooledServer slot, PgError error, boolean retryable) {
        ServerPool pool = slot.pool;
        Work work = lock.enter();
        try {
            pool.lastConnectError = error;
            pool.stats().serverConnectFailed();
            if (!retryable) {
                work.warn("{}: the database refused the login: {}", pool, error);
                failAllWaiters(pool, error, work);
                return;
            }
            CircuitBreaker breaker = pool.breaker();
            long delay = breaker.failed(ticker.nanoTime());
            if (delay >= 0) {
                pool.stats().circuitOpened();
                work.circuitOpened(pool, breaker, error, delay);
                work.probeLater(breaker, delay);
            }
        } finally {
            lock.exit(work);
        }
    }

    /** The back-off of an open circuit has passed: the first pool with waiters sends the probe. */
    void probe(CircuitBreaker breaker) {
        Work work = lock.enter();
        try {
            openForEveryPoolBehind(breaker, work);
        } finally {
            lock.exit(work);
        }
    }

    private void openForEveryPoolBehind(CircuitBreaker breaker, Work work) {
        for (ServerPool each : registry.all()) {
            if (each.breaker() == breaker && each.hasUnservedWaiters()) {
                openConnections(each, work);
            }
        }
    }

    private void failAllWaiters(ServerPool pool, PgError error, Work work) {
        long now = ticker.nanoTime();
        Waiter each;
        while ((each = pool.waiters.poll()) != null) {
            pool.stats().waitEnded(micros(now - each.sinceNanos()));
            work.fail(each.client(), error);
        }
    }

    void serverClosed(PooledServer slot, PgError reason) {
        ServerPool pool = slot.pool;
        Work work = lock.enter();
        try {
            ServerState was = slot.state();
            if (was == ServerState.CLOSED) {
                return;
            }
            slot.moveToClosed();
            for (Budget each : slot.budgets) {
                each.give(was == ServerState.CLOSING);
            }
            ServerPool beneficiary = slot.closingFor;
            if (beneficiary != null) {
                slot.closingFor = null;
                beneficiary.awaitingRoom--;
                if (beneficiary != pool) {
                    openConnections(beneficiary, work);
                }
            }
            if (!pool.waiters.isEmpty()) {
                openConnections(pool, work);
            }
            serveWaitingPools(work);
            if (reason != null) {
                work.debug("{} closed: {}", slot, reason);
            }
        } finally {
            lock.exit(work);
        }
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
        serveWaitingPools(work);
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    PoolSnapshot snapshot(ServerPool pool) {
        int waiting;
        int active;
        int idle;
        int opening;
        int tested;
        long maxWait;
        CircuitState circuit;
        long attempts;
        int budgetLimit;
        int budgetReserve;
        int budgetUsed;
        Work work = lock.enter();
        try {
            Waiter first = pool.waiters.peek();
            maxWait = first == null ? 0 : micros(ticker.nanoTime() - first.sinceNanos());
            waiting = pool.waiters.size();
            active = pool.activeCount();
            idle = pool.idleCount();
            opening = pool.openingCount();
            tested = pool.checking.size();
            circuit = pool.breaker().state();
            attempts = pool.breaker().attempts();
            Budget budget = pool.tenantBudget();
            budgetLimit = budget.limit();
            budgetReserve = budget.reserve();
            budgetUsed = budget.used();
        } finally {
            lock.exit(work);
        }
        return new PoolSnapshot(pool.key().database(), pool.key().user(), pool.mode().configName(), waiting, active,
                idle, opening, maxWait, circuit, attempts, tested, pool.stats().tenant().orElse(null), budgetLimit,
                budgetReserve, budgetUsed);
    }

    static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(Math.max(0, nanos));
    }
}
