package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerConnector;
import io.pgmux.server.ServerState;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.stats.StatsRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every server pool and every connection budget, behind one lock. Clients ask for servers with
 * {@link #acquire}, linked clients give them back with {@link #release}; servers report their life through
 * their pool. The manager hands idle servers to the longest-waiting client, opens new connections while every
 * budget has room, and when a budget shared with another pool is full, closes that pool's idle servers to make
 * room for the waiters.
 */
public final class PoolManager {
    private static final Logger log = LoggerFactory.getLogger(PoolManager.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final PgmuxConfig config;
    private final ServerConnector connector;
    private final io.pgmux.auth.ScramKeys scramKeys = new io.pgmux.auth.ScramKeys();
    private final EventLoopGroup loops;
    private final StatsRegistry stats;
    private final Map<PoolKey, ServerPool> pools = new HashMap<>();
    private final Map<String, Budget> budgets = new HashMap<>();
    /** One per upstream address: refusals from a database server hold back every pool that connects to it. */
    private final Map<String, CircuitBreaker> breakers = new HashMap<>();
    private final Budget global;
    private final AtomicLong serverIds = new AtomicLong();
    /**
     * Connections one pool may have connecting or logging in at once, so that a cold start of thousands of
     * clients reaches the database as a steady trickle of logins, not a stampede.
     */
    static final int MAX_OPENING_PER_POOL = 4;
    /** server_check_delay, or -1 when server_check_query is empty: read on every acquire, so worked out once. */
    private final long checkDelayNanos;

    public PoolManager(PgmuxConfig config, ServerConnector connector, EventLoopGroup loops) {
        this(config, connector, loops, new StatsRegistry());
    }

    /** @param stats where the pools record their statistics (shared with the client side and the metrics) */
    /**
     * The ClientKeys of SCRAM passthrough: the client side remembers them as clients prove their passwords, the
     * server logins of users with only a verifier use them.
     */
    public io.pgmux.auth.ScramKeys scramKeys() {
        return scramKeys;
    }

    public PoolManager(PgmuxConfig config, ServerConnector connector, EventLoopGroup loops, StatsRegistry stats) {
        this.stats = stats;
        this.config = config;
        this.connector = connector;
        this.loops = loops;
        this.checkDelayNanos = config.timeouts().serverCheckQuery().isBlank() ? -1
                : config.timeouts().serverCheckDelay().toNanos();
        this.global = new Budget("max_server_connections (" + config.maxServerConnections() + ")",
                config.maxServerConnections());
    }

    /** The pool for a client of {@code database} logged in as {@code user}; both must be configured. */
    public ServerPool pool(String database, String user) {
        PoolKey key = new PoolKey(database, user);
        lock.lock();
        try {
            return pools.computeIfAbsent(key, this::createPool);
        } finally {
            lock.unlock();
        }
    }

    private ServerPool createPool(PoolKey key) {
        DatabaseConfig db = config.database(key.database()).orElseThrow();
        UserConfig user = config.user(key.user()).orElseThrow();
        UpstreamTarget target = UpstreamTarget.of(db, config.upstreamLoginFor(db.name(), user.name()), scramKeys);
        Optional<TenantConfig> tenant = config.tenantOf(user.name());
        Budget poolBudget = tenant
                .map(t -> tenantBudget(t, db.name()))
                .orElseGet(() -> budget("user " + user.name() + " on database " + db.name(), "default_pool_size",
                        config.defaultPoolSize(), 0));
        Budget dbBudget = budget("database " + db.name(), "max_connections", db.maxConnections(), 0);
        PoolSettings settings = tenant
                .map(t -> new PoolSettings(t.weight(), t.minPoolSize(), t.reservePoolTimeout(),
                        t.queryWaitTimeout().orElse(config.timeouts().queryWaitTimeout())))
                .orElseGet(() -> new PoolSettings(1, 0, java.time.Duration.ZERO, config.timeouts().queryWaitTimeout()));
        return new ServerPool(key, target, config.poolModeFor(db.name(), user.name()),
                List.of(poolBudget, dbBudget, global), breaker(target), settings,
                stats.pool(db.name(), user.name(), tenant.map(TenantConfig::name).orElse(null)), this);
    }

    /** pool_size normally; up to pool_size + reserve_pool_size, never past max_server_connections, for long waits. */
    private Budget tenantBudget(TenantConfig tenant, String database) {
        int ceiling = tenant.mostConnectionsPerDatabase();
        int normal = Math.min(tenant.poolSize(), ceiling);
        return budget("tenant " + tenant.name() + " on database " + database, "pool_size", normal, ceiling - normal);
    }

    private CircuitBreaker breaker(UpstreamTarget target) {
        return breakers.computeIfAbsent(target.address(),
                address -> new CircuitBreaker(address, config.timeouts().serverLoginRetry()));
    }

    private Budget budget(String owner, String setting, int limit, int reserve) {
        return budgets.computeIfAbsent(owner, k -> new Budget(owner + " (" + setting + " " + limit + ")", limit, reserve));
    }

    // ---- clients --------------------------------------------------------------------------------------------

    /**
     * Asks for a server. The answer comes later on the client's event loop: {@link PoolClient#serverAssigned} or
     * {@link PoolClient#acquireFailed}. Until then the client waits in the pool's queue; it may leave the queue
     * with {@link #cancelWait}.
     */
    public void acquire(ServerPool pool, PoolClient client) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            ServerConnection server = pool.takeIdle(client.eventLoop());
            if (server != null && !needsCheck(server)) {
                assign(pool, server, client, 0, after);
            } else {
                pool.waiters.add(new Waiter(client, System.nanoTime()));
                if (server != null) {
                    startCheck(pool, server, after);
                } else {
                    openConnections(pool, after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** A server unused for longer than server_check_delay may have lost its backend unnoticed. */
    private boolean needsCheck(ServerConnection server) {
        return checkDelayNanos >= 0 && System.nanoTime() - server.lastUsedNanos() > checkDelayNanos;
    }

    /**
     * Runs server_check_query on an idle server before it serves anyone; the client that took it waits in the
     * queue meanwhile and gets it (or whatever server frees first) when the check passes. A server that fails
     * the check is closed, and its waiters get a new connection.
     */
    private void startCheck(ServerPool pool, ServerConnection server, List<Runnable> after) {
        server.transition(ServerState.CHECKING);
        pool.checking++;
        String query = config.timeouts().serverCheckQuery();
        after.add(() -> server.eventLoop().execute(() -> {
            if (!server.isUsable()) {
                return; // its close handling takes it out of the check
            }
            server.sendInternalQuery(query, error -> {
                if (error == null) {
                    checkPassed(server);
                } else {
                    log.warn("{} failed server_check_query ({}); closing it", server, error);
                    server.close();
                }
            });
            server.flush();
        }));
    }

    private void checkPassed(ServerConnection server) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            if (server.state() != ServerState.CHECKING || !server.isUsable()) {
                return;
            }
            ServerPool pool = slot(server).pool;
            pool.checking--;
            pool.breaker.answered(System.nanoTime());
            handToWaiterOrIdle(pool, server, after);
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /**
     * Takes a client out of the queue. A server already on its way to it arrives anyway (see
     * {@link PoolClient#serverAssigned}).
     *
     * @return whether the client was still waiting; false when a server is on its way
     */
    public boolean cancelWait(ServerPool pool, PoolClient client) {
        lock.lock();
        try {
            Iterator<Waiter> it = pool.waiters.iterator();
            while (it.hasNext()) {
                Waiter each = it.next();
                if (each.client() == client) {
                    it.remove();
                    pool.stats().waitEnded(micros(System.nanoTime() - each.sinceNanos()));
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a clean server back: to the longest-waiting client of its pool, else to the idle list. A server that
     * is no longer usable is left to its close handling.
     */
    public void release(ServerConnection server) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            ServerSlot slot = slot(server);
            if (!server.isUsable()) {
                return;
            }
            slot.pool.active--;
            // The server came back from a transaction: its upstream answers (for readiness).
            slot.pool.breaker.answered(server.lastUsedNanos());
            if (holdForCancel(slot, server)) {
                return;
            }
            ServerPool starving = starvingPoolBehind(slot.pool);
            if (starving != null) {
                // Another tenant waits on a cap this server counts against and holds less than its share:
                // give it the connection slot instead of keeping it in this pool.
                retire(server, starving, after);
            } else {
                handToWaiterOrIdle(slot.pool, server, after);
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /**
     * A pool of another tenant whose waiters are blocked by a budget {@code releasing} also draws on (the
     * database's or the global cap) and whose tenant holds less than its weighted share; the most deprived one.
     */
    private ServerPool starvingPoolBehind(ServerPool releasing) {
        long now = System.nanoTime();
        ServerPool result = null;
        for (ServerPool each : pools.values()) {
            if (each == releasing || each.tenantBudget() == releasing.tenantBudget()
                    || each.waiters.size() <= each.coming()) {
                continue;
            }
            Budget blocking = each.exhaustedBudget(now);
            if (blocking == null || blocking == each.tenantBudget() || !releasing.budgets().contains(blocking)) {
                continue;
            }
            if (each.share() < releasing.share() && (result == null || each.share() < result.share())) {
                result = each;
            }
        }
        return result;
    }

    /** Marks a server as being reset (session mode, or a client that left mid-transaction). */
    public void resetting(ServerConnection server) {
        lock.lock();
        try {
            if (server.state() != ServerState.CLOSED) {
                slot(server).pool.active--;
                server.transition(ServerState.RESETTING);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A reset finished: the server is clean again. */
    public void resetDone(ServerConnection server) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            if (server.state() != ServerState.RESETTING || !server.isUsable()) {
                return;
            }
            if (holdForCancel(slot(server), server)) {
                return;
            }
            handToWaiterOrIdle(slot(server).pool, server, after);
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    // ---- cancel requests ------------------------------------------------------------------------------------

    /**
     * Sends PostgreSQL a CancelRequest for what {@code server} is running now. The backend gets the signal some
     * time later; were the server given to another client meanwhile, that client's query would be cancelled
     * instead. So the server serves nobody else until PostgreSQL has answered the cancel connection (see
     * {@link ServerState#BEING_CANCELED}); one never answered within server_connect_timeout is closed.
     */
    public void cancel(ServerConnection server) {
        io.pgmux.protocol.backend.BackendKeyData key = server.backendKey();
        if (key == null) {
            return;
        }
        lock.lock();
        try {
            if (server.state() == ServerState.CLOSED) {
                return;
            }
            slot(server).cancelsInFlight++;
        } finally {
            lock.unlock();
        }
        connector.cancel(server.eventLoop(), server.target(), key, outcome -> cancelDone(server, outcome));
    }

    private void cancelDone(ServerConnection server, CancelOutcome outcome) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            ServerSlot slot = slot(server);
            slot.cancelsInFlight--;
            ServerState state = server.state();
            if (outcome == CancelOutcome.UNANSWERED) {
                // The signal may still reach the backend, whoever it serves by then: it serves nobody more.
                log.warn("{}: PostgreSQL did not answer a cancel request within server_connect_timeout; closing"
                        + " the server", server);
                if (state == ServerState.BEING_CANCELED) {
                    slot.pool.beingCanceled--;
                    retire(server, null, after);
                } else if (state != ServerState.CLOSED) {
                    after.add(server::close);
                }
            } else if (slot.cancelsInFlight == 0 && state == ServerState.BEING_CANCELED) {
                slot.pool.beingCanceled--;
                if (server.isUsable()) {
                    handToWaiterOrIdle(slot.pool, server, after);
                } else {
                    retire(server, null, after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** A server done with its client waits for its cancels' answers before anyone else gets it. */
    private static boolean holdForCancel(ServerSlot slot, ServerConnection server) {
        if (slot.cancelsInFlight == 0) {
            return false;
        }
        server.transition(ServerState.BEING_CANCELED);
        slot.pool.beingCanceled++;
        return true;
    }

    private void handToWaiterOrIdle(ServerPool pool, ServerConnection server, List<Runnable> after) {
        Waiter next = pool.pollWaiterFor(server.eventLoop());
        if (next != null) {
            assign(pool, server, next.client(), System.nanoTime() - next.sinceNanos(), after);
            return;
        }
        server.transition(ServerState.IDLE);
        pool.idle.addFirst(server);
        serveOtherPools(after);
    }

    private void assign(ServerPool pool, ServerConnection server, PoolClient client, long waitedNanos,
                        List<Runnable> after) {
        server.transition(ServerState.ACTIVE);
        pool.active++;
        pool.stats().serverAssigned(micros(waitedNanos));
        after.add(() -> EventLoopHandoff.deliver(server, client));
    }

    // ---- opening connections ----------------------------------------------------------------------------------

    /**
     * Opens connections for the pool's waiters while every budget has room, making room by closing idle
     * servers of pools that share a full budget. Never opens more than there are waiters to serve.
     */
    private void openConnections(ServerPool pool, List<Runnable> after) {
        long now = System.nanoTime();
        while (pool.waiters.size() > pool.coming() && pool.opening < MAX_OPENING_PER_POOL
                && pool.breaker.allowsOpening(now)) {
            Budget full = pool.exhaustedBudget(now);
            if (full == null) {
                openOne(pool, pickLoop(pool), after);
            } else if (!closeIdleServerSharing(full, pool, after)) {
                return;
            }
        }
    }

    private EventLoop pickLoop(ServerPool pool) {
        // Open on the loop of a waiter that has no connection coming yet, so the hand-off needs no move.
        int index = 0;
        for (Waiter each : pool.waiters) {
            if (index++ == pool.opening) {
                return each.client().eventLoop();
            }
        }
        return loops.next();
    }

    private void openOne(ServerPool pool, EventLoop loop, List<Runnable> after) {
        for (Budget each : pool.budgets()) {
            each.take();
        }
        pool.opening++;
        pool.open++;
        pool.breaker.attemptStarted();
        ServerConnection server = new ServerConnection(serverIds.incrementAndGet(), pool.target(), pool,
                config.maxPreparedStatements());
        server.poolAttachment(new ServerSlot(pool));
        after.add(() -> connector.connect(server, loop));
    }

    /** Closes the least recently used idle server of any pool drawing on {@code full}, to make room for {@code needy}. */
    private boolean closeIdleServerSharing(Budget full, ServerPool needy, List<Runnable> after) {
        for (ServerPool each : pools.values()) {
            if (!each.idle.isEmpty() && each.budgets().contains(full)) {
                ServerConnection victim = each.idle.pollLast();
                retire(victim, needy, after);
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a server out of service. It keeps counting against its budgets until its backend has really gone
     * (the server closes the socket after Terminate): the database must never see more than the caps, even for
     * a moment. {@code beneficiary}, if any, opens its connection then.
     */
    private void retire(ServerConnection server, ServerPool beneficiary, List<Runnable> after) {
        ServerSlot slot = slot(server);
        server.transition(ServerState.CLOSED);
        if (beneficiary != null) {
            slot.closingFor = beneficiary;
            beneficiary.awaitingRoom++;
        }
        after.add(server::close);
    }

    private void giveBack(ServerSlot slot) {
        if (slot.closingFor != null) {
            slot.closingFor.awaitingRoom--;
            slot.closingFor = null;
        }
        if (slot.holdsBudget) {
            slot.holdsBudget = false;
            for (Budget each : slot.pool.budgets()) {
                each.give();
            }
            slot.pool.open--;
        }
        if (slot.opening) {
            slot.opening = false;
            slot.pool.opening--;
        }
    }

    /** After room appeared in some budget: let pools with waiters open what now fits, least served first. */
    private void serveOtherPools(List<Runnable> after) {
        // Runs on every release to the idle list: allocate nothing in the usual case, no pool waiting.
        List<ServerPool> waiting = null;
        for (ServerPool each : pools.values()) {
            if (each.waiters.size() > each.coming()) {
                if (waiting == null) {
                    waiting = new ArrayList<>();
                }
                waiting.add(each);
            }
        }
        if (waiting == null) {
            return;
        }
        waiting.sort(java.util.Comparator.comparingDouble(ServerPool::share));
        for (ServerPool each : waiting) {
            openConnections(each, after);
        }
    }

    // ---- server events ------------------------------------------------------------------------------------

    void serverConnected(ServerConnection server) {
        lock.lock();
        try {
            if (server.state() == ServerState.CONNECTING) {
                server.transition(ServerState.LOGIN);
            }
        } finally {
            lock.unlock();
        }
    }

    void serverLoggedIn(ServerPool pool, ServerConnection server) {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            ServerSlot slot = slot(server);
            slot.opening = false;
            pool.opening--;
            pool.lastConnectError = null;
            pool.stats().serverConnected();
            pool.breaker.answered(System.nanoTime());
            int failedBefore = pool.breaker.consecutiveFailures();
            if (pool.breaker.succeeded()) {
                log.info("upstream {} answers again after {} failed connection attempt(s)", pool.breaker.upstream(),
                        failedBefore);
                openForEveryPoolBehind(pool.breaker, after);
            }
            pool.welcome(server.welcomeParameters());
            if (server.state() == ServerState.CLOSED) {
                return;
            }
            handToWaiterOrIdle(pool, server, after);
            // A login slot is free again: carry on opening for the remaining waiters.
            openConnections(pool, after);
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    void serverLoginFailed(ServerPool pool, ServerConnection server, PgError error, boolean retryable) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            pool.lastConnectError = error;
            pool.stats().serverConnectFailed();
            if (!retryable) {
                log.warn("{}: the database refused the login: {}", pool, error);
                failAllWaiters(pool, error, after);
            } else {
                CircuitBreaker breaker = pool.breaker;
                long delay = breaker.failed(System.nanoTime());
                if (delay >= 0) {
                    pool.stats().circuitOpened();
                    log.warn("{}: connection to {} failed ({}); no new connections to it for {} ms",
                            pool, breaker.upstream(), error.message(), TimeUnit.NANOSECONDS.toMillis(delay));
                    after.add(() -> loops.next().schedule(() -> probeAgain(breaker), delay, TimeUnit.NANOSECONDS));
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** The back-off of an open circuit has passed: the first pool with waiters sends the probe. */
    private void probeAgain(CircuitBreaker breaker) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            openForEveryPoolBehind(breaker, after);
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    private void openForEveryPoolBehind(CircuitBreaker breaker, List<Runnable> after) {
        for (ServerPool each : pools.values()) {
            if (each.breaker == breaker && each.waiters.size() > each.coming()) {
                openConnections(each, after);
            }
        }
    }

    private void failAllWaiters(ServerPool pool, PgError error, List<Runnable> after) {
        long now = System.nanoTime();
        for (Waiter each : pool.waiters) {
            pool.stats().waitEnded(micros(now - each.sinceNanos()));
            PoolClient client = each.client();
            after.add(() -> client.eventLoop().execute(() -> client.acquireFailed(error)));
        }
        pool.waiters.clear();
    }

    void serverClosed(ServerPool pool, ServerConnection server, PgError reason) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            ServerSlot slot = slot(server);
            ServerState was = server.state();
            if (was != ServerState.CLOSED) {
                if (was == ServerState.IDLE) {
                    pool.idle.remove(server);
                } else if (was == ServerState.ACTIVE) {
                    pool.active--;
                } else if (was == ServerState.CHECKING) {
                    pool.checking--;
                } else if (was == ServerState.BEING_CANCELED) {
                    pool.beingCanceled--;
                }
                server.transition(ServerState.CLOSED);
            }
            ServerPool beneficiary = slot.closingFor;
            giveBack(slot);
            if (beneficiary != null && beneficiary != pool) {
                openConnections(beneficiary, after);
            }
            if (!pool.waiters.isEmpty()) {
                openConnections(pool, after);
            }
            serveOtherPools(after);
        } finally {
            lock.unlock();
        }
        if (reason != null) {
            log.debug("{} closed: {}", server, reason);
        }
        runAll(after);
    }

    // ---- maintenance ----------------------------------------------------------------------------------------

    /** Opens reserve connections for pools whose longest waiter has waited reserve_pool_timeout. Called often. */
    public void serveLongWaiters() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (ServerPool each : pools.values()) {
                if (each.waiters.size() > each.coming() && each.tenantBudget().hasReserve() && each.mayUseReserve(now)) {
                    openConnections(each, after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /**
     * query_wait_notify and query_wait_timeout for every queued client, oldest first. Called often (every 100
     * ms) instead of a timer per wait: when clients outnumber servers nearly every request waits, and a timer
     * scheduled and cancelled each time costs more than this sweep, which stops at the first waiter too young
     * for either.
     */
    public void checkWaits() {
        long notifyNanos = config.timeouts().queryWaitNotify().toNanos();
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (ServerPool pool : pools.values()) {
                long timeoutNanos = pool.settings().queryWaitTimeout().toNanos();
                boolean notifies = notifyNanos > 0 && (timeoutNanos == 0 || notifyNanos < timeoutNanos);
                long youngest = notifies ? notifyNanos : timeoutNanos;
                if (youngest == 0) {
                    continue;
                }
                // Waiters are in the order they started waiting (one served out of turn leaves the order intact).
                Iterator<Waiter> it = pool.waiters.iterator();
                while (it.hasNext()) {
                    Waiter each = it.next();
                    long waited = now - each.sinceNanos();
                    if (waited < youngest) {
                        break;
                    }
                    PoolClient client = each.client();
                    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(waited);
                    if (timeoutNanos > 0 && waited >= timeoutNanos) {
                        it.remove();
                        pool.stats().waitTimedOut();
                        pool.stats().waitEnded(TimeUnit.NANOSECONDS.toMicros(waited));
                        PgError error = waitTimeoutError(pool, waitedMillis);
                        after.add(() -> client.eventLoop().execute(() -> client.acquireFailed(error)));
                    } else if (notifies && !each.notified) {
                        each.notified = true;
                        after.add(() -> client.eventLoop().execute(() -> client.waitingLong(waitedMillis)));
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** Keeps min_pool_size connections open (and logged in) in every pool that has been used. */
    public void openMinimumConnections() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (ServerPool each : pools.values()) {
                while (each.open < each.settings().minPoolSize() && each.opening < MAX_OPENING_PER_POOL
                        && each.exhaustedBudget(now) == null && each.breaker.allowsOpening(now)) {
                    openOne(each, loops.next(), after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** Closes idle servers past server_idle_timeout or server_lifetime. Called periodically. */
    public void closeExpiredIdleServers() {
        long now = System.nanoTime();
        long idleLimit = config.timeouts().serverIdleTimeout().toNanos();
        long lifetime = config.timeouts().serverLifetime().toNanos();
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            for (ServerPool pool : pools.values()) {
                Iterator<ServerConnection> it = pool.idle.descendingIterator();
                while (it.hasNext()) {
                    ServerConnection each = it.next();
                    boolean idleTooLong = idleLimit > 0 && now - each.lastUsedNanos() > idleLimit;
                    boolean tooOld = lifetime > 0 && now - each.createdNanos() > lifetime;
                    if (idleTooLong || tooOld) {
                        it.remove();
                        retire(each, null, after);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    /** The error a client gets when its wait for a server times out. */
    public PgError waitTimeoutError(ServerPool pool, long waitedMillis) {
        lock.lock();
        try {
            PgError cause = pool.lastConnectError;
            // No server of this pool is logged in (one may be mid-connect): the database is what is missing.
            if (cause != null && pool.open - pool.opening == 0) {
                return PgError.fatal(SqlState.CANNOT_CONNECT_NOW, "pgmux could not reach the database for "
                        + pool.key() + " within " + waitedMillis + " ms: " + cause.message())
                        .withHint("Check that the database at " + pool.target().address()
                                + " is running and accepts connections; pgmux keeps retrying.");
            }
            Budget full = pool.exhaustedBudget(System.nanoTime());
            String budget = full != null ? full.toString() : "pool " + pool.key();
            return PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux: timed out after " + waitedMillis
                    + " ms waiting for a server connection of " + pool.key() + "; all connections allowed by "
                    + budget + " are busy")
                    .withHint("Raise the budget in pgmux.yaml, shorten transactions, or raise query_wait_timeout.");
        } finally {
            lock.unlock();
        }
    }

    PoolSnapshot snapshot(ServerPool pool) {
        lock.lock();
        try {
            long now = System.nanoTime();
            Waiter first = pool.waiters.peek();
            long maxWait = first == null ? 0 : TimeUnit.NANOSECONDS.toMicros(now - first.sinceNanos());
            Budget budget = pool.tenantBudget();
            return new PoolSnapshot(pool.key().database(), pool.key().user(), pool.mode().configName(),
                    pool.waiters.size(), pool.active, pool.idle.size(), pool.opening, pool.beingCanceled, maxWait,
                    pool.breaker.state(), pool.breaker.attempts(), pool.checking,
                    pool.stats().tenant().orElse(null), budget.limit(), budget.reserve(), budget.used());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The circuit of every upstream some pool has connected to, keyed by address (host:port), for readiness.
     * Takes the lock once, briefly.
     */
    public Map<String, UpstreamStatus> upstreams() {
        lock.lock();
        try {
            long now = System.nanoTime();
            Map<String, UpstreamStatus> result = new HashMap<>();
            breakers.forEach((address, breaker) -> result.put(address, breaker.status(now)));
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Where the pools record their statistics. */
    public StatsRegistry stats() {
        return stats;
    }

    public Collection<ServerPool> pools() {
        lock.lock();
        try {
            return List.copyOf(pools.values());
        } finally {
            lock.unlock();
        }
    }

    /** Closes every idle server; linked ones close with their clients. */
    public void closeAll() {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            for (ServerPool pool : pools.values()) {
                while (!pool.idle.isEmpty()) {
                    retire(pool.idle.poll(), null, after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(Math.max(0, nanos));
    }

    private static ServerSlot slot(ServerConnection server) {
        return (ServerSlot) server.poolAttachment();
    }

    private static void runAll(List<Runnable> actions) {
        for (Runnable each : actions) {
            each.run();
        }
    }
}
