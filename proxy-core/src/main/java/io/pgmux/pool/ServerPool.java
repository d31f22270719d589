package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Ticker;
import io.pgmux.config.PoolMode;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerState;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.stats.PoolStats;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server connections of one (database, user) and the clients waiting for one. Each server sits on the list of
 * its state: connecting, login, checking, resetting, handing over (active, moving to its client's event loop) and
 * closing are guarded by the pool lock; idle and active live per event loop ({@link LoopServers}). Every count
 * is read off those lists. What the pool takes from the configuration is one {@link PoolSetup}, swapped on reload.
 */
public final class ServerPool {
    private final PoolKey key;
    private final PoolCore core;
    private final EventLoops loops;
    private final PoolLock lock;
    private final Ticker ticker;
    private final PoolStats stats;
    private volatile PoolSetup setup;

    final ServerList connecting;
    final ServerList login;
    final ServerList checking;
    final ServerList resetting;
    /** Done with their client, held until PostgreSQL has answered a cancel sent for them. */
    final ServerList beingCanceled;
    /** Active servers on their way to a client of another event loop. */
    final ServerList handingOver;
    final ServerList closing;
    private final LoopServers[] byLoop;
    final WaitQueue waiters = new WaitQueue(this::waitingChanged);
    /** Connections counted against the budgets and about to be made (see {@link PoolCore#openOne}). */
    int reserved;
    /** Connections of other pools closing to make room for this pool's waiters. */
    int awaitingRoom;
    /** The latest connect or login failure, until a login succeeds. */
    PgError lastConnectError;
    /** Marks pools already served in one round of {@link PoolCore#serveWaitingPools}. */
    int servedRound;
    private volatile Map<String, String> welcome;
    /** pgmux statement names some server of this pool has parsed without error. */
    private final Set<String> parsedStatements = ConcurrentHashMap.newKeySet();
    /** Numbers the Parses of this pool's clients and servers in the order pgmux sees them: see {@link #statementGeneration}. */
    private final java.util.concurrent.atomic.AtomicLong statementGenerations = new java.util.concurrent.atomic.AtomicLong(1);

    ServerPool(PoolKey key, PoolSetup setup, PoolStats stats, PoolCore core, EventLoops loops, PoolLock lock,
               Ticker ticker) {
        this.key = key;
        this.lock = lock;
        this.ticker = ticker;
        this.stats = stats;
        this.setup = setup;
        this.core = core;
        this.loops = loops;
        this.connecting = new ServerList(ServerState.CONNECTING, lock);
        this.login = new ServerList(ServerState.LOGIN, lock);
        this.checking = new ServerList(ServerState.CHECKING, lock);
        this.resetting = new ServerList(ServerState.RESETTING, lock);
        this.beingCanceled = new ServerList(ServerState.BEING_CANCELED, lock);
        this.handingOver = new ServerList(ServerState.ACTIVE, lock);
        this.closing = new ServerList(ServerState.CLOSING, lock);
        this.byLoop = new LoopServers[loops.size()];
        for (int i = 0; i < byLoop.length; i++) {
            byLoop[i] = new LoopServers(this, loops.get(i));
        }
    }

    public PoolKey key() {
        return key;
    }

    public UpstreamTarget target() {
        return setup.target();
    }

    public PoolMode mode() {
        return setup.mode();
    }

    public PoolSettings settings() {
        return setup.settings();
    }

    /** This pool's counters and histograms; any thread may record into them. */
    public PoolStats stats() {
        return stats;
    }

    PoolSetup setup() {
        return setup;
    }

    /** Installs a reloaded setup; under the pool lock. Waiting clients move their claim to the new budgets. */
    void setup(PoolSetup next) {
        PoolSetup previous = setup;
        if (!waiters.isEmpty() && !previous.budgets().equals(next.budgets())) {
            previous.budgets().forEach(b -> b.poolWaiting(-1));
            next.budgets().forEach(b -> b.poolWaiting(1));
        }
        setup = next;
    }

    List<Budget> budgets() {
        return setup.budgets();
    }

    Budget tenantBudget() {
        return setup.tenantBudget();
    }

    CircuitBreaker breaker() {
        return setup.breaker();
    }

    int generation() {
        return setup.generation();
    }

    PoolCore core() {
        return core;
    }

    /** This pool's lists on {@code loop}. */
    LoopServers on(EventLoop loop) {
        return byLoop[loops.indexOf(loop)];
    }

    LoopServers[] byLoop() {
        return byLoop;
    }

    /** The queue became non-empty ({@code true}) or empty: the budgets learn that a pool waits on them. */
    void waitingChanged(boolean waiting) {
        int delta = waiting ? 1 : -1;
        // By index: an iterator here is one allocation per wait wherever escape analysis gives up.
        List<Budget> budgets = setup.budgets();
        for (int i = 0; i < budgets.size(); i++) {
            budgets.get(i).poolWaiting(delta);
        }
    }

    // ---- counts, read off the lists ---------------------------------------------------------------------------

    int idleCount() {
        int n = 0;
        for (LoopServers each : byLoop) {
            n += each.idle.size();
        }
        return n;
    }

    int activeCount() {
        int n = handingOver.size();
        for (LoopServers each : byLoop) {
            n += each.active.size();
        }
        return n;
    }

    /** Connecting or logging in, or about to. */
    int openingCount() {
        return reserved + connecting.size() + login.size();
    }

    /** Every connection that counts against the budgets and is not closing. */
    int serverCount() {
        return openingCount() + idleCount() + activeCount() + checking.size() + resetting.size()
                + beingCanceled.size();
    }

    /** Logged-in connections, closing ones included. */
    int loggedInCount() {
        return idleCount() + activeCount() + checking.size() + resetting.size() + beingCanceled.size()
                + closing.size();
    }

    /** Logged-in connections that are not closing: what still serves (readiness, a probe's need). */
    int liveCount() {
        return loggedInCount() - closing.size();
    }

    /**
     * Connections on their way to this pool's waiters: being opened, checked, canceled, made room for, or idle
     * on another event loop (whose tidy task hands them over).
     */
    int coming() {
        return openingCount() + checking.size() + beingCanceled.size() + awaitingRoom + idleCount();
    }

    /** Waiting clients no coming connection is meant for. */
    boolean hasUnservedWaiters() {
        return waiters.size() > coming();
    }

    /** Whether the longest waiter has waited long enough to draw on the reserve pool. */
    boolean mayUseReserve(long nowNanos) {
        PoolClient first = waiters.peek();
        return first != null && nowNanos - first.waitingSince() >= setup.settings().reservePoolTimeout().toNanos();
    }

    /** The first budget with no room left, or null when a new connection fits every cap. */
    Budget exhaustedBudget(long nowNanos) {
        PoolSetup current = setup;
        boolean reserve = current.tenantBudget().hasReserve() && mayUseReserve(nowNanos);
        List<Budget> budgets = current.budgets();
        for (int i = 0; i < budgets.size(); i++) {
            if (budgets.get(i).isExhausted(reserve)) {
                return budgets.get(i);
            }
        }
        return null;
    }

    /** No server on any list and nobody waiting. */
    boolean isEmpty() {
        return serverCount() == 0 && closing.isEmpty() && waiters.isEmpty();
    }

    // ---- for the client side ----------------------------------------------------------------------------------

    /** The parameters a newly logged-in backend reported, or null until the first server has logged in. */
    public Map<String, String> welcomeParameters() {
        return welcome;
    }

    void welcome(Map<String, String> parameters) {
        if (welcome == null) {
            welcome = parameters;
        }
    }

    /** Whether a statement of this name has parsed cleanly on a server of this pool before. */
    public boolean isKnownStatement(String serverName) {
        return parsedStatements.contains(serverName);
    }

    /** Remembers a statement that parsed cleanly; the set is bounded by starting over when it grows large. */
    public void knownStatement(String serverName) {
        if (parsedStatements.size() >= 10_000) {
            parsedStatements.clear();
        }
        parsedStatements.add(serverName);
    }

    /**
     * The generation of a client's Parse that pgmux receives now, later than every one before. A plan a server
     * made for a Parse sent at an older {@link #statementGeneration} may predate a schema change that client has
     * seen, so that client gets a plan of its own there (PostgreSQL never shows a statement prepared after such a
     * change "cached plan must not change result type").
     */
    public long nextStatementGeneration() {
        return statementGenerations.incrementAndGet();
    }

    /** The generation now: a server-side Parse sent now serves every client Parse of this or an older one. */
    public long statementGeneration() {
        return statementGenerations.get();
    }

    /** A consistent view for the console and metrics; takes the pool lock. */
    public PoolSnapshot snapshot() {
        int waiting;
        int active;
        int idle;
        int opening;
        int canceling;
        int tested;
        long maxWait;
        CircuitState circuit;
        long attempts;
        int budgetLimit;
        int budgetReserve;
        int budgetUsed;
        Work work = lock.enter();
        try {
            PoolClient first = waiters.peek();
            maxWait = first == null ? 0 : PoolCore.micros(ticker.nanoTime() - first.waitingSince());
            waiting = waiters.size();
            active = activeCount();
            idle = idleCount();
            opening = openingCount();
            canceling = beingCanceled.size();
            tested = checking.size();
            circuit = breaker().state();
            attempts = breaker().attempts();
            Budget budget = tenantBudget();
            budgetLimit = budget.limit();
            budgetReserve = budget.reserve();
            budgetUsed = budget.used();
        } finally {
            lock.exit(work);
        }
        return new PoolSnapshot(key.database(), key.user(), mode().configName(), waiting, active,
                idle, opening, canceling, maxWait, circuit, attempts, tested, stats.tenant().orElse(null), budgetLimit,
                budgetReserve, budgetUsed);
    }

    @Override
    public String toString() {
        return "pool " + key;
    }
}
