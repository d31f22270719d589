package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.server.ServerConnection;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools' timers: query_wait_notify and query_wait_timeout for waiting clients, the reserve pool for long
 * waits, min_pool_size, server_idle_timeout and server_lifetime for idle servers, server_check_query for servers
 * unused since server_check_delay, and the circuit breakers' back-off. Each sweep is cheap and runs often from the
 * runtime's schedule instead of a timer per wait or per server.
 */
final class Janitor {
    private static final Logger log = LoggerFactory.getLogger(Janitor.class);

    private final PoolLock lock;
    private final Ticker ticker;
    private final EventLoops loops;
    private final PoolRegistry registry;
    private final PoolCore core;
    /** One expiry task per loop, made once. */
    private final Runnable[] expiry;

    Janitor(PoolLock lock, Ticker ticker, EventLoops loops, PoolRegistry registry, PoolCore core) {
        this.lock = lock;
        this.ticker = ticker;
        this.loops = loops;
        this.registry = registry;
        this.core = core;
        this.expiry = new Runnable[loops.size()];
        for (int i = 0; i < expiry.length; i++) {
            EventLoop loop = loops.get(i);
            expiry[i] = () -> closeExpiredIdleServers(loop);
        }
    }

    // ---- server_check_query -----------------------------------------------------------------------------------

    /** A server unused for longer than server_check_delay may have lost its backend unnoticed. */
    boolean needsCheck(PooledServer slot) {
        long delay = registry.layout().checkDelayNanos();
        return delay >= 0 && ticker.nanoTime() - slot.idleSinceNanos > delay;
    }

    boolean needsCheck(PooledServer slot, long nowNanos) {
        long delay = registry.layout().checkDelayNanos();
        return delay >= 0 && nowNanos - slot.idleSinceNanos > delay;
    }

    /**
     * Runs server_check_query on an idle server before it serves anyone; the client that took it waits in the
     * queue meanwhile and gets it (or whatever server frees first) when the check passes. A server that fails
     * the check is closed, and its waiters get a new connection. On the server's loop, under the lock.
     */
    void startCheck(PooledServer slot, Work work) {
        slot.moveTo(slot.pool.checking);
        work.check(slot.server());
    }

    /** After the lock: sends the check query. */
    void runCheck(ServerConnection server) {
        String query = registry.config().timeouts().serverCheckQuery();
        server.eventLoop().execute(() -> {
            if (!server.isUsable()) {
                return; // its close handling takes it out of the check
            }
            server.sendInternalQuery(query, error -> {
                if (error == null) {
                    core.checkPassed(PooledServer.of(server));
                } else {
                    log.warn("{} failed server_check_query ({}); closing it", server, error);
                    server.close();
                }
            });
            server.flush();
        });
    }

    // ---- circuit breakers -------------------------------------------------------------------------------------

    /** After the lock: lets the pools behind {@code breaker} try again once its back-off has passed. */
    void probeLater(CircuitBreaker breaker, long delayNanos) {
        EventLoop loop = loops.next();
        if (loop.isShuttingDown()) {
            // pgmux is stopping: the logins its closing cut short fail here, and nothing will be opened again.
            return;
        }
        loop.schedule(() -> core.connections().probe(breaker), delayNanos, TimeUnit.NANOSECONDS);
    }

    // ---- sweeps -----------------------------------------------------------------------------------------------

    /** Opens reserve connections for pools whose longest waiter has waited reserve_pool_timeout. Called often. */
    void serveLongWaiters() {
        Work work = lock.enter();
        try {
            long now = ticker.nanoTime();
            for (ServerPool each : registry.all()) {
                if (each.hasUnservedWaiters() && each.tenantBudget().hasReserve() && each.mayUseReserve(now)) {
                    core.connections().openConnections(each, work);
                }
            }
        } finally {
            lock.exit(work);
        }
    }

    /**
     * query_wait_notify and query_wait_timeout for every queued client, oldest first. Called often (every 100
     * ms) instead of a timer per wait: when clients outnumber servers nearly every request waits, and a timer
     * scheduled and cancelled each time costs more than this sweep, which stops at the first waiter too young
     * for either.
     */
    void checkWaits() {
        PgmuxConfig config = registry.config();
        long notifyNanos = config.timeouts().queryWaitNotify().toNanos();
        Work work = lock.enter();
        try {
            long now = ticker.nanoTime();
            for (ServerPool pool : registry.all()) {
                long timeoutNanos = pool.settings().queryWaitTimeout().toNanos();
                boolean notifies = notifyNanos > 0 && (timeoutNanos == 0 || notifyNanos < timeoutNanos);
                long youngest = notifies ? notifyNanos : timeoutNanos;
                if (youngest == 0) {
                    continue;
                }
                // Waiters are in the order they started waiting (one served out of turn leaves the order intact).
                PoolClient each = pool.waiters.peek();
                while (each != null) {
                    PoolClient behind = each.nextWaiting();
                    long waited = now - each.waitingSince();
                    if (waited < youngest) {
                        break;
                    }
                    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(waited);
                    if (timeoutNanos > 0 && waited >= timeoutNanos) {
                        pool.waiters.remove(each);
                        pool.stats().waitTimedOut();
                        pool.stats().waitEnded(PoolCore.micros(waited));
                        Budget full = pool.exhaustedBudget(now);
                        work.failWaitTimeout(each, pool, waitedMillis, WaitReason.of(core, pool, full),
                                pool.lastConnectError, full);
                    } else if (notifies && !each.notified) {
                        each.notified = true;
                        work.notifyWaiting(each, pool, waitedMillis,
                                WaitReason.of(core, pool, pool.exhaustedBudget(now)), pool.lastConnectError);
                    }
                    each = behind;
                }
            }
        } finally {
            lock.exit(work);
        }
    }

    /** Keeps min_pool_size connections open (and logged in) in every pool that has been used. */
    void openMinimumConnections() {
        Work work = lock.enter();
        try {
            long now = ticker.nanoTime();
            for (ServerPool each : registry.all()) {
                while (each.serverCount() < each.settings().minPoolSize()
                        && each.openingCount() < Connections.MAX_OPENING_PER_POOL
                        && each.exhaustedBudget(now) == null && each.breaker().allowsOpening(now)
                        && !each.setup().retired()) {
                    core.connections().openOne(each, loops.next(), work);
                }
            }
        } finally {
            lock.exit(work);
        }
    }

    /** Closes idle servers past server_idle_timeout or server_lifetime, each loop its own. Called periodically. */
    void closeExpiredIdleServers() {
        for (int i = 0; i < expiry.length; i++) {
            loops.get(i).execute(expiry[i]);
        }
    }

    private void closeExpiredIdleServers(EventLoop loop) {
        PgmuxConfig config = registry.config();
        long idleLimit = config.timeouts().serverIdleTimeout().toNanos();
        long lifetime = config.timeouts().serverLifetime().toNanos();
        if (idleLimit <= 0 && lifetime <= 0) {
            return;
        }
        Work work = lock.enter();
        try {
            long now = ticker.nanoTime();
            for (ServerPool pool : registry.all()) {
                PooledServer each = pool.on(loop).idle.peekLast();
                while (each != null) {
                    PooledServer warmer = each.prev;
                    boolean idleTooLong = idleLimit > 0 && now - each.idleSinceNanos > idleLimit;
                    boolean tooOld = lifetime > 0 && now - each.openedNanos > lifetime;
                    if (idleTooLong || tooOld) {
                        core.connections().retire(each, null, work);
                    }
                    each = warmer;
                }
            }
        } finally {
            lock.exit(work);
        }
    }
}
