package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.config.PoolMode;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerEvents;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.stats.PoolStats;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The server connections of one (database, user): an idle list used as a stack (the most recently used server
 * is the warmest), the queue of waiting clients, and the budgets this pool draws on. All fields are guarded by
 * the manager's lock, except the welcome parameters, which are written once and read freely.
 */
public final class ServerPool implements ServerEvents {
    private static final int MAX_PASSED_OVER = 4;
    private static final int LOOKAHEAD = 16;

    private final PoolKey key;
    private final UpstreamTarget target;
    private final PoolMode mode;
    private final List<Budget> budgets;
    private final PoolManager manager;
    private final PoolSettings settings;
    private final PoolStats stats;

    final ArrayDeque<ServerConnection> idle = new ArrayDeque<>();
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    int opening;
    /** Connections of other pools being closed to make room for this pool's waiters. */
    int awaitingRoom;
    int open;
    int active;
    /** Idle servers taken for server_check_query; each will serve a waiter, as a connection being opened would. */
    int checking;
    /** Servers done with their client but held until PostgreSQL answers a cancel sent for them (BEING_CANCELED). */
    int beingCanceled;
    final CircuitBreaker breaker;
    PgError lastConnectError;
    private volatile Map<String, String> welcome;
    /** pgmux statement names some server of this pool has parsed without error. */
    private final java.util.Set<String> parsedStatements = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Numbers the Parses of this pool's clients and servers in the order pgmux sees them: see {@link #statementGeneration}. */
    private final java.util.concurrent.atomic.AtomicLong statementGenerations = new java.util.concurrent.atomic.AtomicLong(1);

    ServerPool(PoolKey key, UpstreamTarget target, PoolMode mode, List<Budget> budgets, CircuitBreaker breaker,
               PoolSettings settings, PoolStats stats, PoolManager manager) {
        this.settings = settings;
        this.stats = stats;
        this.key = key;
        this.target = target;
        this.mode = mode;
        this.budgets = budgets;
        this.breaker = breaker;
        this.manager = manager;
    }

    public PoolKey key() {
        return key;
    }

    public UpstreamTarget target() {
        return target;
    }

    public PoolMode mode() {
        return mode;
    }

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

    List<Budget> budgets() {
        return budgets;
    }

    public PoolSettings settings() {
        return settings;
    }

    /** This pool's counters and histograms; any thread may record into them. */
    public PoolStats stats() {
        return stats;
    }

    /** The budget shared by the tenant's pools on this database (or the user's own, without a tenant). */
    Budget tenantBudget() {
        return budgets.get(0);
    }

    /** How much of the contended capacity this pool's tenant holds, relative to its weight. */
    double share() {
        return (double) tenantBudget().used() / settings.weight();
    }

    /** Whether the longest waiter has waited long enough to draw on the reserve pool. */
    boolean mayUseReserve(long nowNanos) {
        Waiter first = waiters.peek();
        return first != null && nowNanos - first.sinceNanos() >= settings.reservePoolTimeout().toNanos();
    }

    /** The first budget with no room left, or null when a new connection fits every cap. */
    Budget exhaustedBudget(long nowNanos) {
        boolean reserve = tenantBudget().hasReserve() && mayUseReserve(nowNanos);
        for (Budget each : budgets) {
            if (each.isExhausted(reserve)) {
                return each;
            }
        }
        return null;
    }

    /** Connections on their way to this pool's waiters: being opened, checked, canceled, or made room for. */
    int coming() {
        return opening + checking + beingCanceled + awaitingRoom;
    }

    /**
     * The waiter to serve with a server on {@code loop}. Normally the longest-waiting one; but when it is on
     * another event loop and one of the next few waiters is on this one, that one, so the server need not move
     * between loops (a deregister and a register: two epoll_ctl calls and two thread hand-offs). The head is
     * passed over at most {@link #MAX_PASSED_OVER} times, so FIFO order bends by a few releases at most.
     */
    Waiter pollWaiterFor(EventLoop loop) {
        Waiter head = waiters.peek();
        if (head == null || head.client().eventLoop() == loop || head.passedOver >= MAX_PASSED_OVER) {
            return waiters.poll();
        }
        Iterator<Waiter> it = waiters.iterator();
        it.next();
        for (int seen = 0; seen < LOOKAHEAD && it.hasNext(); seen++) {
            Waiter each = it.next();
            if (each.client().eventLoop() == loop) {
                it.remove();
                head.passedOver++;
                return each;
            }
        }
        return waiters.poll();
    }

    /** Takes an idle server, preferring one already on {@code loop} so no event-loop move is needed. */
    ServerConnection takeIdle(EventLoop loop) {
        Iterator<ServerConnection> it = idle.iterator();
        while (it.hasNext()) {
            ServerConnection each = it.next();
            if (each.eventLoop() == loop) {
                it.remove();
                return each;
            }
        }
        return idle.pollFirst();
    }

    // ---- ServerEvents: called on the server's event loop; the manager takes its lock -------------------------

    @Override
    public void connected(ServerConnection server) {
        manager.serverConnected(server);
    }

    @Override
    public void loginSucceeded(ServerConnection server) {
        manager.serverLoggedIn(this, server);
    }

    @Override
    public void loginFailed(ServerConnection server, PgError error, boolean retryable) {
        manager.serverLoginFailed(this, server, error, retryable);
    }

    @Override
    public void closed(ServerConnection server, PgError reason) {
        manager.serverClosed(this, server, reason);
    }

    /** A consistent view for the console and metrics; takes the manager's lock. */
    public PoolSnapshot snapshot() {
        return manager.snapshot(this);
    }

    @Override
    public String toString() {
        return "pool " + key;
    }
}
