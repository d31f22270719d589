package io.pgmux.fleet;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Ticker;
import io.pgmux.auth.ScramKeys;
import io.pgmux.client.LoginWork;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.FleetConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.pool.BudgetPlan;
import io.pgmux.pool.LeasedBudgets;
import io.pgmux.server.SocketErrors;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.tls.UpstreamTlsContexts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's leases of the fleet's budgets: one control connection per upstream server, and every
 * {@code rebalance_interval} (with a random jitter of up to half of it) a round that reads the upstream's
 * advisory locks, gives back what is no longer used, takes free slots for waiting clients, and tells the pools
 * what the leases allow ({@link LeasedBudgets#allow}). Its own thread, so no event loop ever waits on the
 * upstream; the control connections' I/O runs on an event loop of their own.
 *
 * <p>Failure modes. A lost control connection (the upstream restarted, the network broke, the backend was
 * terminated) takes its locks with it, but not the server connections they covered. For {@code
 * lease_reclaim_timeout} the pools keep serving on the connections they have and open none, while the keeper
 * reconnects every round and first takes back the very slots it held (see {@link LeaseBook.Standing#RECLAIMING});
 * the other instances leave the slots of a vanished instance alone for that long and two rounds more
 * ({@link Quarantine}). Past the timeout the allowance drops to 0 (idle connections close, busy ones when their
 * clients give them back) and leases are taken from zero, as every instance does after a database restart.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final FleetConfig fleet;
    private final String instanceId;
    private final LeasedBudgets pools;
    private final Ticker ticker;
    private final UpstreamTlsContexts tls;
    /** Where the control connections' logins derive SCRAM keys, off the event loop. */
    private final java.util.concurrent.Executor loginWork = LoginWork.newExecutor();
    private final Duration connectTimeout;
    private final ScramKeys scramKeys;
    /** Changed on the keeper's thread only (construction, then reconfigure); others read {@link #budgetKeys}. */
    private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
    /** Per upstream address, the budget keys of its books: a copy published after every change of the books. */
    private volatile Map<String, List<String>> budgetKeys = Map.of();
    private final ScheduledExecutorService thread;
    private final EventLoopGroup io;
    private volatile List<FleetRow> rows = List.of();
    /** Per budget key, as the last round left it; for metrics, read from any thread. */
    private final Map<String, BudgetState> states = new ConcurrentHashMap<>();
    /** Per upstream address: whether its control connection is up, and how often it was lost. */
    private final Map<String, Boolean> connected = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> losses =
            new ConcurrentHashMap<>();

    /**
     * One budget's leases after a round.
     *
     * @param held      leases this instance holds
     * @param allowed   connections the pools may count against it now
     * @param waiting   whether this instance waits for a lease none are free for
     * @param instances instances holding leases of it, this one included
     * @param slots     its normal slots this instance counts on: the smallest size any instance advertises
     * @param disagree  whether another instance's file gives the budget another size than this one's
     */
    public record BudgetState(int held, int allowed, boolean waiting, int instances, int slots, boolean disagree) {
        static BudgetState unleased(int allowed) {
            return new BudgetState(0, allowed, false, 0, 0, false);
        }
    }
    private volatile boolean closed;

    /** One upstream server: its control connection and the books of the budgets whose leases live there. */
    private static final class Upstream {
        final String address;
        final UpstreamTarget target;
        final Map<String, LeaseBook> books = new LinkedHashMap<>();
        final Set<String> demanding = new HashSet<>();
        /** Per budget, the size marker this instance holds there. */
        final Map<String, Integer> advertised = new HashMap<>();
        /** Per budget, the other instances whose file gives it another size, as last logged. */
        final Map<String, Map<String, BudgetSize>> disagreeing = new HashMap<>();
        final Quarantine quarantine;
        /** The locks the last round that had a control connection read; empty before the first. */
        Optional<LockTable> last = Optional.empty();
        /** pg_postmaster_start_time() as the last control connection read it; empty before the first. */
        Optional<String> serverStart = Optional.empty();
        ControlConnection connection;
        boolean warned;

        Upstream(String address, UpstreamTarget target, Quarantine quarantine) {
            this.address = address;
            this.target = target;
            this.quarantine = quarantine;
        }

        Set<Integer> slotKeys() {
            Set<Integer> keys = new HashSet<>();
            books.values().forEach(b -> keys.add(b.keys().key()));
            return keys;
        }
    }

    /** @param tls the servers' TLS contexts, shared with the pools (a control connection waits for a build) */
    public LeaseKeeper(PgmuxConfig config, LeasedBudgets pools, ScramKeys scramKeys, UpstreamTlsContexts tls) {
        this(config, pools, scramKeys, tls, Ticker.systemTicker());
    }

    LeaseKeeper(PgmuxConfig config, LeasedBudgets pools, ScramKeys scramKeys, UpstreamTlsContexts tls,
                Ticker ticker) {
        this.connectTimeout = config.timeouts().serverConnectTimeout();
        this.fleet = config.fleet();
        this.instanceId = fleet.instanceId().orElseGet(LeaseKeeper::defaultInstanceId);
        this.pools = pools;
        this.ticker = ticker;
        this.scramKeys = scramKeys;
        this.tls = tls;
        books(config);
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("pgmux-fleet", true));
        this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pgmux-fleet-io", true),
                NioIoHandler.newFactory());
    }

    /**
     * Makes a book for every capped budget of {@code next} that has none yet, at the upstream of its database (the
     * global one at the first database's). Books of budgets a reload dropped stay: the pools report such a budget
     * with no slots (see {@link LeasedBudgets#usage}), so its leases go back as its connections close.
     */
    private void books(PgmuxConfig next) {
        BudgetPlan plan = BudgetPlan.of(next);
        long idleNanos = fleet.leaseIdleTimeout().toNanos();
        long reclaimNanos = fleet.leaseReclaimTimeout().toNanos();
        String firstAddress = null;
        for (DatabaseConfig db : next.databases().values()) {
            String address = db.host() + ":" + db.port();
            // Advisory locks live in one database: every instance uses the first configured one of the upstream.
            Upstream upstream = upstreams.computeIfAbsent(address, a -> new Upstream(a, controlTarget(next, db),
                    new Quarantine(fleet.quarantine().toNanos())));
            if (firstAddress == null) {
                firstAddress = address;
            }
            List<BudgetPlan.Cap> caps = new ArrayList<>(plan.poolBudgets(db));
            caps.add(plan.database(db.name()));
            for (BudgetPlan.Cap cap : caps) {
                if (cap.limit() > 0) {
                    upstream.books.computeIfAbsent(cap.key(), k -> new LeaseBook(LeaseKeys.of(fleet.name(), k),
                            fleet.minLeases(), idleNanos, reclaimNanos));
                }
            }
        }
        BudgetPlan.Cap global = plan.global();
        if (firstAddress != null && global.limit() > 0) {
            upstreams.get(firstAddress).books.computeIfAbsent(global.key(), k -> new LeaseBook(
                    LeaseKeys.of(fleet.name(), k), fleet.minLeases(), idleNanos, reclaimNanos));
        }
        Map<String, List<String>> keys = new LinkedHashMap<>();
        upstreams.forEach((address, upstream) -> keys.put(address, List.copyOf(upstream.books.keySet())));
        budgetKeys = Collections.unmodifiableMap(keys);
    }

    /** After a reload: budgets the new configuration adds get books from the next round on. */
    public void reconfigure(PgmuxConfig next) {
        if (!closed) {
            thread.execute(() -> books(next));
        }
    }

    /** How this instance names itself to the fleet. */
    public String instanceId() {
        return instanceId;
    }

    /** Starts the rounds; the first runs at once. */
    public void start() {
        log.info("fleet \"{}\": instance {} shares its budgets through advisory locks on {}", fleet.name(),
                instanceId, upstreams.keySet());
        thread.execute(this::roundAndReschedule);
    }

    private void roundAndReschedule() {
        if (closed) {
            return;
        }
        try {
            round();
        } catch (RuntimeException e) {
            log.error("fleet: a round of the lease keeper failed; the next one tries again", e);
        }
        long interval = fleet.rebalanceInterval().toNanos();
        long delay = interval / 2 + ThreadLocalRandom.current().nextLong(interval / 2 + 1);
        if (!closed) {
            thread.schedule(this::roundAndReschedule, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** One round over every upstream: read, give back, take, and tell the pools. */
    void round() {
        long now = ticker.nanoTime();
        Map<String, LeasedBudgets.Use> usage = new HashMap<>();
        for (LeasedBudgets.Use each : pools.usage()) {
            usage.put(each.key(), each);
        }
        Map<String, Integer> allow = new HashMap<>();
        List<FleetRow> seen = new ArrayList<>();
        for (Upstream upstream : upstreams.values()) {
            if (!connect(upstream, now, usage)) {
                upstream.books.forEach((k, book) -> {
                    book.disconnected(now, open(usage, k));
                    allow.put(k, book.allowance());
                    states.put(k, BudgetState.unleased(book.allowance()));
                });
                connected.put(upstream.address, false);
                continue;
            }
            connected.put(upstream.address, true);
            try {
                LockTable locks = new LockTable(upstream.connection.locks(), upstream.connection.pid());
                watch(upstream, locks, now);
                Map<String, LeaseKeys> keys = new LinkedHashMap<>();
                for (Map.Entry<String, LeaseBook> each : upstream.books.entrySet()) {
                    LeaseBook book = each.getValue();
                    LeasedBudgets.Use use = usage.get(each.getKey());
                    boolean disagree = false;
                    if (use != null) {
                        advertise(upstream, each.getKey(), book.keys(), use);
                        // A budget a reload dropped here has no size to compare.
                        disagree = use.limit() + use.reserve() > 0 && compare(upstream, each.getKey(),
                                new BudgetSize(use.limit(), use.reserve()), locks.sizes(book.keys()));
                        LeaseBook.Observation observed = locks.observe(book.keys());
                        // Re-taking its own former slots is not held back by what others' vanishing froze.
                        step(upstream, each.getKey(), book, use, book.standing() == LeaseBook.Standing.RECLAIMING
                                ? observed : upstream.quarantine.apply(book.keys(), observed), now);
                    }
                    allow.put(each.getKey(), book.allowance());
                    states.put(each.getKey(), new BudgetState(book.heldCount(), book.allowance(), book.isWaiting(),
                            locks.instances(book.keys()), book.size().limit(), disagree));
                    keys.put(each.getKey(), book.keys());
                }
                seen.addAll(locks.rows(upstream.address, keys));
            } catch (IOException | RuntimeException e) {
                lost(upstream, e, now, usage);
                upstream.books.forEach((k, book) -> {
                    allow.put(k, book.allowance());
                    states.put(k, BudgetState.unleased(book.allowance()));
                });
                connected.put(upstream.address, false);
            }
        }
        pools.allow(allow);
        rows = List.copyOf(seen);
    }

    private static int open(Map<String, LeasedBudgets.Use> usage, String key) {
        LeasedBudgets.Use use = usage.get(key);
        return use == null ? 0 : use.used();
    }

    /**
     * Leaves alone the slots of instances whose control connection vanished since the last round (their backend
     * gone, or another one now under its pid), so they can take them back (see {@link Quarantine}).
     */
    private void watch(Upstream upstream, LockTable locks, long now) throws IOException {
        Quarantine quarantine = upstream.quarantine;
        quarantine.expire(now);
        Set<Integer> keys = upstream.slotKeys();
        upstream.last.ifPresent(previous -> quarantine.suspect(previous, locks, keys));
        Set<Integer> suspects = quarantine.suspects();
        if (!suspects.isEmpty()) {
            Quarantine.Judged judged = quarantine.judge(upstream.connection.alive(suspects), keys, now);
            if (judged.slots() > 0) {
                log.info("fleet: instance {} on {} vanished holding {} slot(s) (crashed, or lost its control"
                        + " connection); for {} ms this instance takes neither those nor any free slot, so that its"
                        + " server connections can be covered again or close", String.join(", ", judged.instances()),
                        upstream.address, judged.slots(), fleet.quarantine().toMillis());
            }
        }
        upstream.last = Optional.of(locks);
    }

    /** One budget's round: plan, give back, take, and hold or drop the demand marker. */
    private void step(Upstream upstream, String budget, LeaseBook book, LeasedBudgets.Use use,
                      LeaseBook.Observation seen, long now) throws IOException {
        ControlConnection connection = upstream.connection;
        LeaseKeys keys = book.keys();
        LeaseBook.Step step = book.plan(now, use, seen);
        if (!step.release().isEmpty()) {
            List<Boolean> released = connection.unlock(keys.key(), step.release());
            if (released.contains(false)) {
                throw new IOException("the upstream did not hold every lease of " + budget + " this instance"
                        + " gave back: " + step.release() + " -> " + released);
            }
        }
        if (!step.take().isEmpty()) {
            List<Boolean> taken = connection.tryLock(keys.key(), step.take());
            for (int i = 0; i < taken.size(); i++) {
                if (taken.get(i)) {
                    book.took(step.take().get(i));
                }
            }
        }
        boolean demanding = upstream.demanding.contains(budget);
        if (step.waiting() != demanding) {
            connection.demand(keys.demandKey(), step.waiting());
            if (step.waiting()) {
                upstream.demanding.add(budget);
            } else {
                upstream.demanding.remove(budget);
            }
        }
    }

    /**
     * Holds the size marker of what this instance's file makes the budget, switching it after a reload: the new
     * one first, so that the others never see none. A budget a reload dropped advertises nothing.
     */
    private static void advertise(Upstream upstream, String budget, LeaseKeys keys, LeasedBudgets.Use use)
            throws IOException {
        Integer now = upstream.advertised.get(budget);
        boolean dropped = use.limit() == 0 && use.reserve() == 0;
        int marker = new BudgetSize(use.limit(), use.reserve()).marker();
        if (!dropped && (now == null || now != marker)) {
            upstream.connection.size(keys.sizeKey(), marker, true);
            upstream.advertised.put(budget, marker);
        }
        if (now != null && (dropped || now != marker)) {
            upstream.connection.size(keys.sizeKey(), now, false);
            if (dropped) {
                upstream.advertised.remove(budget);
            }
        }
    }

    /**
     * Whether other instances advertise another size of the budget than {@code mine}; logs each change of who
     * disagrees, once.
     */
    private boolean compare(Upstream upstream, String budget, BudgetSize mine, Map<String, BudgetSize> sizes) {
        Map<String, BudgetSize> others = new TreeMap<>();
        sizes.forEach((instance, size) -> {
            if (!size.equals(mine)) {
                others.put(instance, size);
            }
        });
        Map<String, BudgetSize> before = upstream.disagreeing.getOrDefault(budget, Map.of());
        if (!others.equals(before)) {
            if (others.isEmpty()) {
                log.info("fleet: every instance of \"{}\" now gives {} the size {}", fleet.name(), budget, mine);
            } else {
                StringBuilder where = new StringBuilder();
                others.forEach((instance, size) -> where.append(where.length() == 0 ? "" : ", ").append(size)
                        .append(" at ").append(instance));
                log.warn("fleet \"{}\": {} has {} slots in this instance's file ({}) but {}; every instance keeps"
                        + " to the smallest ({}) until they agree: run the same file on every instance of the"
                        + " fleet", fleet.name(), budget, mine, instanceId, where, mine.smallest(others.values()));
            }
            upstream.disagreeing.put(budget, others);
        }
        return !others.isEmpty();
    }

    private boolean connect(Upstream upstream, long now, Map<String, LeasedBudgets.Use> usage) {
        if (upstream.connection != null && upstream.connection.isOpen()) {
            return true;
        }
        if (upstream.connection != null) {
            lost(upstream, new IOException("the connection closed"), now, usage);
        }
        try {
            upstream.connection = ControlConnection.open(upstream.target, connectTimeout,
                    tls, io, loginWork);
            String started = upstream.connection.serverStart();
            if (upstream.serverStart.isPresent() && !upstream.serverStart.get().equals(started)) {
                // A restart ended every backend: what the last round saw held covers no connection any more.
                upstream.last = Optional.empty();
                upstream.quarantine.clear();
            }
            upstream.serverStart = Optional.of(started);
            if (upstream.warned) {
                log.info("fleet: control connection to {} is back; taking leases again", upstream.address);
            }
            upstream.warned = false;
            return true;
        } catch (IOException | RuntimeException e) {
            if (!upstream.warned) {
                log.warn("fleet: cannot open the control connection to {} as {}: {}; this instance opens no"
                        + " server connection there until it holds leases (retrying every round)",
                        upstream.address, upstream.target, e.getMessage());
                upstream.warned = true;
            }
            return false;
        }
    }

    private void lost(Upstream upstream, Exception cause, long now, Map<String, LeasedBudgets.Use> usage) {
        losses.computeIfAbsent(upstream.address, a -> new AtomicLong()).incrementAndGet();
        if (upstream.connection != null) {
            upstream.connection.abort();
            upstream.connection = null;
        }
        upstream.books.forEach((key, book) -> book.lost(now, open(usage, key)));
        upstream.demanding.clear();
        upstream.advertised.clear();
        if (!upstream.warned && !closed) {
            log.warn("fleet: lost the control connection to {} ({}), and with it this instance's locks there:"
                    + " it keeps serving on its open server connections, opens none, and takes its slots back"
                    + " once reconnected; after {} without a control connection those connections close as they"
                    + " come free", upstream.address, SocketErrors.reason(cause), fleet.leaseReclaimTimeout());
            upstream.warned = true;
        }
    }

    /** The instances and their leases as the last round saw them (SHOW FLEET). */
    public List<FleetRow> rows() {
        return rows;
    }

    /** The leases this instance holds, per budget key, as the last round left them. */
    public Map<String, Integer> held() {
        Map<String, Integer> result = new LinkedHashMap<>();
        states.forEach((key, state) -> result.put(key, state.held()));
        return result;
    }

    /** Each budget's leases as the last round left them; empty before the first round. */
    public Map<String, BudgetState> states() {
        return Map.copyOf(states);
    }

    /** The budget keys this instance keeps leases for, per upstream address. */
    public Map<String, List<String>> budgets() {
        return budgetKeys;
    }

    /**
     * Whether this instance keeps fleet leases at the upstream {@code address} ("host:port"): a configured
     * database lives there, so a control connection is opened to it. Readiness asks it on every check.
     */
    public boolean keepsLeasesAt(String address) {
        return budgetKeys.containsKey(address);
    }

    /** Whether the control connection to {@code address} was up at the last round. */
    public boolean isConnected(String address) {
        return connected.getOrDefault(address, false);
    }

    /** How often the control connection to {@code address} was lost. */
    public long losses(String address) {
        AtomicLong n = losses.get(address);
        return n == null ? 0 : n.get();
    }

    /**
     * Drops every control connection's socket without a word, as a crashed process would (the database frees the
     * locks), and stops the rounds. For tests of what the other instances do then.
     */
    public void abort() {
        closed = true;
        thread.shutdownNow();
        for (Upstream each : upstreams.values()) {
            if (each.connection != null) {
                each.connection.abort();
            }
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /**
     * Stops the rounds and ends the control connections, which frees the leases. Call it after this instance's
     * server connections have closed: until then they still count against the fleet's budgets.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            handBack();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Upstream each : upstreams.values()) {
            if (each.connection != null) {
                each.connection.close();
            }
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Gives every lease back while the control connections are still up, then stays connected long enough for the
     * others to see its backend alive without locks (two of their rounds): they take the slots at once, instead of
     * leaving them alone as they would for an instance that vanished.
     */
    private void handBack() throws InterruptedException {
        boolean any = false;
        for (Upstream each : upstreams.values()) {
            if (each.connection != null && each.connection.isOpen()) {
                try {
                    each.connection.unlockAll();
                    any = true;
                } catch (IOException | RuntimeException e) {
                    log.warn("fleet: could not give the leases on {} back before leaving ({}); the other instances"
                            + " wait lease_reclaim_timeout before taking them", each.address, e.getMessage());
                }
            }
        }
        if (any) {
            Thread.sleep(fleet.rebalanceInterval().multipliedBy(3).toMillis());
        }
    }

    /** Logs in where the database's first pool would, as the first configured user, naming the instance. */
    private UpstreamTarget controlTarget(PgmuxConfig config, DatabaseConfig db) {
        Optional<UserConfig> first = config.users().values().stream().findFirst();
        UpstreamTarget base = UpstreamTarget.forDatabase(db, first.map(UserConfig::name).orElse("postgres"),
                first.flatMap(UserConfig::password).orElse(null));
        return new UpstreamTarget(base.host(), base.port(), base.database(), base.user(), base.password(),
                Map.of(), base.tls(), scramKeys).withApplicationName(LockTable.APPLICATION_PREFIX + instanceId);
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        return host + "-" + pid + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
    }
}
