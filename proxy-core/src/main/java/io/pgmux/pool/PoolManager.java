package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Ticker;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnector;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.stats.StatsRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The pools, as the client side and the runtime see them. Clients ask for servers with {@link #acquire}, linked
 * clients give them back with {@link #release}; the runtime runs the timers ({@link #checkWaits} and the other
 * sweeps) and swaps the configuration ({@link #reconfigure}). Behind it: the {@link PoolRegistry} of pools,
 * budgets and circuit breakers; the {@link PoolCore} that lends and takes back servers, with the budgets and
 * {@link Fairness}; the {@link Janitor} with the timers; and the {@link PoolLock} they share.
 */
public final class PoolManager {
    private final PoolLock lock = new PoolLock();
    private final Ticker ticker;
    private final Dialer dialer;
    private final Cancels cancels;
    private final PoolRegistry registry;
    private final PoolCore core;
    private final Janitor janitor;
    private final ServerCensus census;
    private final io.pgmux.auth.ScramKeys scramKeys = new io.pgmux.auth.ScramKeys();
    private final StatsRegistry stats;
    private final AtomicLong serverIds = new AtomicLong();
    /** One reload at a time. */
    private final Object reloading = new Object();

    public PoolManager(PgmuxConfig config, ServerConnector connector, EventLoopGroup loops) {
        this(config, connector, loops, new StatsRegistry());
    }

    /** @param stats where the pools record their statistics (shared with the client side and the metrics) */
    public PoolManager(PgmuxConfig config, ServerConnector connector, EventLoopGroup loops, StatsRegistry stats) {
        this(config, new Dialer() {
            @Override
            public void connect(ServerConnection server, EventLoop loop) {
                connector.connect(server, loop);
            }

            @Override
            public void cancel(EventLoop loop, UpstreamTarget target, BackendKeyData key,
                               Consumer<CancelOutcome> done) {
                connector.cancel(loop, target, key, done);
            }
        }, loops, Ticker.systemTicker(), stats);
    }

    /** @param ticker the pools' clock: waits, idle times and lifetimes are measured with it */
    PoolManager(PgmuxConfig config, Dialer dialer, EventLoopGroup group, Ticker ticker, StatsRegistry stats) {
        this.ticker = ticker;
        this.dialer = dialer;
        this.stats = stats;
        EventLoops loops = new EventLoops(group);
        this.core = new PoolCore(lock, ticker, loops);
        this.registry = new PoolRegistry(config, core, loops, lock, stats, ticker, scramKeys);
        this.janitor = new Janitor(lock, ticker, loops, registry, core);
        Fairness fairness = new Fairness(ticker, registry, core);
        core.wire(registry, fairness, janitor, new Connections(lock, ticker, loops, registry, fairness, core));
        this.cancels = new Cancels(lock, dialer, core);
        this.census = new ServerCensus(loops, lock, ticker, registry);
        lock.effects(new Effects());
    }

    /**
     * The pool for a client of {@code database} logged in as {@code user}, made on first use.
     *
     * @throws IllegalArgumentException when neither is configured and no pool of them is left from before a reload
     */
    public ServerPool pool(String database, String user) {
        return registry.pool(database, user);
    }

    /**
     * Asks for a server, on the client's event loop. The answer comes on that loop: {@link PoolClient#serverAssigned}
     * or {@link PoolClient#acquireFailed}. Until then the client waits in the pool's queue; it may leave the queue
     * with {@link #cancelWait}.
     */
    public void acquire(ServerPool pool, PoolClient client) {
        core.acquire(pool, client);
    }

    /**
     * Takes a client out of the queue. A server already on its way to it arrives anyway (see
     * {@link PoolClient#serverAssigned}).
     *
     * @return whether the client was still waiting; false when a server is on its way
     */
    public boolean cancelWait(ServerPool pool, PoolClient client) {
        return core.cancelWait(pool, client);
    }

    /**
     * Sends PostgreSQL a CancelRequest for what {@code server} is running now, on its client's event loop. The
     * server then serves nobody else until PostgreSQL has answered the cancel connection (see {@link Cancels}).
     */
    public void cancel(ServerConnection server) {
        cancels.cancel(server);
    }

    /** Gives a clean server back, on its event loop; a server no longer usable is left to its close handling. */
    public void release(ServerConnection server) {
        core.release(server);
    }

    /** Marks a server as being reset (session mode, or a client that left mid-transaction). */
    public void resetting(ServerConnection server) {
        core.resetting(server);
    }

    /** A reset finished: the server is clean again. */
    public void resetDone(ServerConnection server) {
        core.resetDone(server);
    }

    /**
     * Installs a reloaded configuration on the pool side: budgets resized in place, databases, users and tenants
     * added and removed, servers whose target (host, port, dbname, login user, password) or budgets changed closed
     * once idle, and waiting clients served with whatever grown budgets allow. Clients keep their connections;
     * a pool whose database or user is gone serves the clients still on it. Not on an event loop: it builds the
     * new budget plan first.
     */
    public void reconfigure(PgmuxConfig next) {
        synchronized (reloading) {
            while (true) {
                PoolRegistry.Reload reload = registry.prepare(next);
                Work work = lock.enter();
                try {
                    if (registry.apply(reload)) {
                        core.reconfigured(work);
                        return;
                    }
                } finally {
                    lock.exit(work);
                }
            }
        }
    }

    // ---- the console's process controls (PgBouncer's PAUSE, RESUME, RECONNECT) ---------------------------------

    /**
     * PAUSE: from now on the pools of {@code database} (or every pool, also ones made later) hand no server to a
     * client; clients that ask wait in their pool's queue and servers given back stay idle. Returns at once; see
     * {@link #serversInUse} for when the servers are back.
     *
     * @return false when that database (or everything) was paused already, and nothing changed
     */
    public boolean pause(Optional<String> database) {
        Work work = lock.enter();
        try {
            Pause now = core.pause();
            if (now.has(database)) {
                return false;
            }
            core.pause(now.with(database));
            return true;
        } finally {
            lock.exit(work);
        }
    }

    /**
     * RESUME: lifts PAUSE of {@code database} (or every pause); waiting clients are served again.
     *
     * @return false when it was not paused
     */
    public boolean resume(Optional<String> database) {
        Work work = lock.enter();
        try {
            Pause now = core.pause();
            if (!now.has(database) && !(database.isEmpty() && !now.databases().isEmpty())) {
                return false;
            }
            core.resume(now.without(database), work);
            return true;
        } finally {
            lock.exit(work);
        }
    }

    /** Whether clients of {@code database} get no server now (PAUSE or KILL). */
    public boolean isPaused(String database) {
        return core.pause().covers(database);
    }

    /** Whether PAUSE without a database is in force. */
    public boolean isPausedEverywhere() {
        return core.pause().everything();
    }

    /**
     * Servers of {@code database} (or all) that a client holds or that are on their way back: active, handing
     * over, resetting, checked or held for a cancel. A PAUSE is complete when this is 0. Any thread.
     */
    public int serversInUse(Optional<String> database) {
        int n = 0;
        for (ServerPool each : registry.all()) {
            if (database.isEmpty() || each.key().database().equals(database.get())) {
                n += each.activeCount() + each.resetting.size() + each.checking.size() + each.beingCanceled.size();
            }
        }
        return n;
    }

    /**
     * RECONNECT: every server of {@code database} (or all) is closed when it is next free (at once when idle), so
     * the pools open fresh ones; clients keep their connections.
     */
    public void reconnect(Optional<String> database) {
        Work work = lock.enter();
        try {
            for (ServerPool each : registry.all()) {
                if (database.isEmpty() || each.key().database().equals(database.get())) {
                    each.setup(each.setup().nextGeneration(each.setup().retired()));
                }
            }
            core.reconfigured(work);
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Servers of {@code database} (or all) still open (logged in or logging in, closing ones included): WAIT_CLOSE
     * after a RECONNECT or KILL is complete when no server opened before it is left. Any thread.
     */
    public int serversOpen(Optional<String> database) {
        int n = 0;
        for (ServerPool each : registry.all()) {
            if (database.isEmpty() || each.key().database().equals(database.get())) {
                n += each.serverCount() + each.closing.size();
            }
        }
        return n;
    }

    /** Servers of {@code database} (or all) taken out of service and not gone yet. Any thread. */
    public int serversClosing(Optional<String> database) {
        int n = 0;
        for (ServerPool each : registry.all()) {
            if (database.isEmpty() || each.key().database().equals(database.get())) {
                n += each.closing.size();
            }
        }
        return n;
    }

    /** The configuration the pools follow now. */
    public PgmuxConfig config() {
        return registry.config();
    }

    // ---- timers, run by the runtime ---------------------------------------------------------------------------

    /** Opens reserve connections for pools whose longest waiter has waited reserve_pool_timeout. Called often. */
    public void serveLongWaiters() {
        janitor.serveLongWaiters();
    }

    /** query_wait_notify and query_wait_timeout; called often (every 100 ms). */
    public void checkWaits() {
        janitor.checkWaits();
    }

    /** Keeps min_pool_size connections open in every pool that has been used. */
    public void openMinimumConnections() {
        janitor.openMinimumConnections();
    }

    /** Closes idle servers past server_idle_timeout or server_lifetime. Called periodically. */
    public void closeExpiredIdleServers() {
        janitor.closeExpiredIdleServers();
    }

    /**
     * The ClientKeys of SCRAM passthrough: the client side remembers them as clients prove their passwords, the
     * server logins of users with only a verifier use them.
     */
    public io.pgmux.auth.ScramKeys scramKeys() {
        return scramKeys;
    }

    /** Where the pools record their statistics. */
    public StatsRegistry stats() {
        return stats;
    }

    /**
     * The circuit and the live servers of every upstream some pool has tried to connect to, keyed by address
     * (host:port), for readiness. Takes the lock once, briefly.
     */
    public Map<String, UpstreamStatus> upstreams() {
        CircuitBreaker[] breakers = registry.breakers().values().toArray(new CircuitBreaker[0]);
        UpstreamStatus[] statuses = new UpstreamStatus[breakers.length];
        long now = ticker.nanoTime();
        Work work = lock.enter();
        try {
            for (int i = 0; i < breakers.length; i++) {
                if (breakers[i].attempts() > 0) {
                    statuses[i] = breakers[i].status(now, registry.liveServersBehind(breakers[i]));
                }
            }
        } finally {
            lock.exit(work);
        }
        Map<String, UpstreamStatus> result = new HashMap<>();
        for (UpstreamStatus each : statuses) {
            if (each != null) {
                result.put(each.address(), each);
            }
        }
        return result;
    }

    /** The budgets a fleet shares, for the lease keeper of {@code io.pgmux.fleet}. */
    public LeasedBudgets leasedBudgets() {
        return new LeasedBudgets(lock, ticker, registry, core);
    }

    /**
     * Every open server connection (SHOW SERVERS), each read on its own event loop: the stage completes once every
     * loop has answered; nobody waits meanwhile. Closing servers are left out.
     */
    public java.util.concurrent.CompletableFuture<List<ServerInfo>> servers() {
        return census.take();
    }

    /** Every pool made so far, including those left from before a reload. */
    public Collection<ServerPool> pools() {
        return List.of(registry.all());
    }

    /** Closes every idle server; linked ones close with their clients. */
    public void closeAll() {
        core.closeAll();
    }

    /** For tests that move servers by hand. */
    PoolLock lock() {
        return lock;
    }

    /** What the pools' recorded work does once the lock is released. */
    private final class Effects implements Work.Effects {
        @Override
        public void deliver(ServerConnection server, PoolClient client) {
            EventLoopHandoff.deliver(server, client, core);
        }

        @Override
        public void open(ServerPool pool, PoolSetup setup, EventLoop loop) {
            PooledServer slot = new PooledServer(pool, setup.budgets(), setup.generation(), ticker.nanoTime());
            ServerConnection server = new ServerConnection(serverIds.incrementAndGet(), setup.target(), slot,
                    registry.config().maxPreparedStatements());
            core.connections().made(slot);
            dialer.connect(server, loop);
        }

        @Override
        public void check(ServerConnection server) {
            janitor.runCheck(server);
        }

        @Override
        public void probeLater(CircuitBreaker breaker, long delayNanos) {
            janitor.probeLater(breaker, delayNanos);
        }

        @Override
        public void tidy(LoopServers servers) {
            servers.loop.execute(servers.tidy);
        }

        @Override
        public PgError waitTimeoutError(Work.WaitTimeout facts) {
            return WaitTimeoutError.of(facts);
        }
    }
}
