package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerState;

/**
 * Opens server connections within the budgets and closes them, and hears what servers report while they log in
 * and when they close (their {@link PooledServer} forwards it here, on the server's event loop). A connection
 * counts against its budgets from the moment it is decided until its backend has gone.
 */
final class Connections {
    /**
     * Connections one pool may have connecting or logging in at once, so that a cold start of thousands of
     * clients reaches the database as a steady trickle of logins, not a stampede.
     */
    static final int MAX_OPENING_PER_POOL = 4;

    private final PoolLock lock;
    private final Ticker ticker;
    private final EventLoops loops;
    private final PoolRegistry registry;
    private final Fairness fairness;
    private final PoolCore core;
    /** Numbers the rounds of {@link #serveWaitingPools}. */
    private int round;

    Connections(PoolLock lock, Ticker ticker, EventLoops loops, PoolRegistry registry, Fairness fairness,
                PoolCore core) {
        this.lock = lock;
        this.ticker = ticker;
        this.loops = loops;
        this.registry = registry;
        this.fairness = fairness;
        this.core = core;
    }

    /**
     * Opens connections for the pool's waiters while every budget has room, making room by closing idle servers
     * of pools that share a full budget. Never opens more than there are waiters to serve.
     */
    void openConnections(ServerPool pool, Work work) {
        if (core.isPaused(pool)) {
            return;
        }
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
        for (PoolClient each = pool.waiters.peek(); each != null; each = each.nextWaiting()) {
            if (index++ == opening) {
                return each.eventLoop();
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
                core.handToWaiterOrIdle(slot, work);
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
                // Not "refused": a server certificate that failed its check never got as far as the login; the
                // error's hint says what to change.
                work.warn("{}: could not log in to the database: {}", pool,
                        error.hint() == null ? error : error + " HINT: " + error.hint());
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

    /**
     * The back-off of an open circuit has passed: the first pool with waiters sends the probe. With nobody waiting
     * and no live server left there, a pool behind it sends one all the same: otherwise a database that came back
     * while no client asked (every pgmux out of its load balancer, /health/ready 503 for want of a live server)
     * would never be tried again, and pgmux never ready again. The probe's server stays idle once logged in, as a
     * released one does (server_idle_timeout retires it unused); one that fails backs the circuit off further.
     */
    void probe(CircuitBreaker breaker) {
        Work work = lock.enter();
        try {
            openForEveryPoolBehind(breaker, work);
            if (breaker.state() == CircuitState.OPEN && registry.liveServersBehind(breaker) == 0) {
                probeWithoutWaiters(breaker, work);
            }
        } finally {
            lock.exit(work);
        }
    }

    private void probeWithoutWaiters(CircuitBreaker breaker, Work work) {
        long now = ticker.nanoTime();
        for (ServerPool each : registry.all()) {
            if (each.breaker() == breaker && !core.isPaused(each) && each.exhaustedBudget(now) == null) {
                if (breaker.allowsOpening(now)) {
                    openOne(each, loops.next(), work);
                }
                return;
            }
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
        PoolClient each;
        while ((each = pool.waiters.poll()) != null) {
            pool.stats().waitEnded(PoolCore.micros(now - each.waitingSince()));
            work.fail(each, error);
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
            slot.moveTo(ServerList.GONE);
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
}
