package io.pgmux.pool;

import io.pgmux.auth.ScramKeys;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.stats.StatsRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The pools, the budgets and the circuit breakers of the configuration in force, as one {@link Layout} swapped
 * whole: by {@link #pool} when a pool is first asked for, by {@link #reconfigure} on reload. Readers take the
 * layout without a lock; swaps compare-and-set it, so a pool made from an older configuration is made again.
 */
final class PoolRegistry {
    /**
     * Everything the pools take from one configuration. Pools are never dropped: one whose database or user left
     * the configuration is retired (its servers close once idle; the clients still on it are served) and comes
     * back to life if they return.
     *
     * @param checkDelayNanos server_check_delay, or -1 when server_check_query is empty; read on every acquire
     */
    record Layout(BudgetPlan plan, Map<String, Budget> budgets, Map<String, CircuitBreaker> breakers,
                  Map<PoolKey, ServerPool> byKey, ServerPool[] all, long checkDelayNanos) {
        PgmuxConfig config() {
            return plan.config();
        }

        Layout withPool(ServerPool pool) {
            Map<PoolKey, ServerPool> pools = new HashMap<>(byKey);
            pools.put(pool.key(), pool);
            ServerPool[] grown = Arrays.copyOf(all, all.length + 1);
            grown[all.length] = pool;
            return new Layout(plan, budgets, breakers, Map.copyOf(pools), grown, checkDelayNanos);
        }
    }

    private final AtomicReference<Layout> layout = new AtomicReference<>();
    private final PoolCore core;
    private final EventLoops loops;
    private final PoolLock lock;
    private final StatsRegistry stats;
    private final io.netty.util.concurrent.Ticker ticker;
    /** The ClientKeys of SCRAM passthrough, shared by every target (see {@link UpstreamTarget#of}). */
    private final ScramKeys scramKeys;

    PoolRegistry(PgmuxConfig config, PoolCore core, EventLoops loops, PoolLock lock, StatsRegistry stats,
                 io.netty.util.concurrent.Ticker ticker, ScramKeys scramKeys) {
        this.stats = stats;
        this.scramKeys = scramKeys;
        this.ticker = ticker;
        this.core = core;
        this.loops = loops;
        this.lock = lock;
        BudgetPlan plan = BudgetPlan.of(config);
        layout.set(new Layout(plan, budgets(plan, Map.of()), breakers(config, Map.of()), Map.of(),
                new ServerPool[0], checkDelayNanos(config)));
    }

    Layout layout() {
        return layout.get();
    }

    PgmuxConfig config() {
        return layout.get().config();
    }

    /** The circuit breakers of every configured upstream, by address (host:port). */
    Map<String, CircuitBreaker> breakers() {
        return layout.get().breakers();
    }

    /** Every pool, live or retired; a pool made after the call is missing. */
    ServerPool[] all() {
        return layout.get().all();
    }

    /**
     * The logged-in, not closing servers of every pool behind {@code breaker} (its upstream): what still serves
     * there. Under the pool lock.
     */
    int liveServersBehind(CircuitBreaker breaker) {
        int live = 0;
        for (ServerPool each : all()) {
            if (each.breaker() == breaker) {
                live += each.liveCount();
            }
        }
        return live;
    }

    /**
     * The pool of {@code database} and {@code user}, made on first use.
     *
     * @throws IllegalArgumentException when neither a pool nor the configuration knows them
     */
    ServerPool pool(String database, String user) {
        PoolKey key = new PoolKey(database, user);
        while (true) {
            Layout before = layout.get();
            ServerPool existing = before.byKey().get(key);
            if (existing != null) {
                return existing;
            }
            PoolSetup setup = setup(before, key, 0).orElseThrow(() -> new IllegalArgumentException(
                    "no database \"" + database + "\" or user \"" + user + "\" in the configuration"));
            String tenant = before.config().tenantOf(user).map(io.pgmux.config.TenantConfig::name).orElse(null);
            io.pgmux.stats.PoolStats poolStats = stats.pool(database, user, tenant);
            // Made earlier (a failed login) under a configuration that may have put the user elsewhere.
            poolStats.countUnder(tenant);
            ServerPool created = new ServerPool(key, setup, poolStats, core, loops, lock, ticker);
            if (layout.compareAndSet(before, before.withPool(created))) {
                return created;
            }
        }
    }

    /** What a pool of {@code key} takes from the layout's configuration; empty when it is not configured. */
    private Optional<PoolSetup> setup(Layout layout, PoolKey key, int generation) {
        PgmuxConfig config = layout.config();
        Optional<List<BudgetPlan.Cap>> caps = layout.plan().capsOf(key.database(), key.user());
        if (caps.isEmpty()) {
            return Optional.empty();
        }
        DatabaseConfig db = config.database(key.database()).orElseThrow();
        // Configured, or found by auth_query (then its servers log in with what the lookup found, see ScramKeys).
        String user = key.user();
        UpstreamTarget target = UpstreamTarget.of(db, config.upstreamLoginFor(db.name(), user), scramKeys);
        List<Budget> budgets = new ArrayList<>(3);
        for (BudgetPlan.Cap each : caps.get()) {
            budgets.add(layout.budgets().get(each.key()));
        }
        return Optional.of(new PoolSetup(target, config.poolModeFor(db.name(), user), budgets,
                layout.plan().settings(user), layout.breakers().get(target.address()), generation, false));
    }

    /** A reload worked out off the lock: the layout it replaces, the new one, and every pool's new setup. */
    record Reload(Layout before, Layout after, ServerPool[] pools, PoolSetup[] setups, Budget[] budgets,
                  BudgetPlan.Cap[] caps) {
    }

    /**
     * Works out what installing {@code next} means, without the pool lock: budgets of the same name are kept (to be
     * resized in place), new ones made, gone ones dropped (the connections counted against them give their places
     * back as they close); every pool gets its new setup, and a new generation when its target (host, port,
     * dbname, login user, password) or its budgets changed, or it left the configuration, so that its servers
     * close once idle.
     */
    Reload prepare(PgmuxConfig next) {
        Layout before = layout.get();
        BudgetPlan plan = BudgetPlan.of(next);
        Layout after = new Layout(plan, budgets(plan, before.budgets()), breakers(next, before.breakers()),
                before.byKey(), before.all(), checkDelayNanos(next));
        ServerPool[] pools = before.all();
        PoolSetup[] setups = new PoolSetup[pools.length];
        for (int i = 0; i < pools.length; i++) {
            ServerPool pool = pools[i];
            PoolSetup old = pool.setup();
            PoolSetup fresh = setup(after, pool.key(), old.generation()).orElse(null);
            if (fresh == null) {
                // Left the configuration: keep serving the clients still on it, closing its servers once idle.
                setups[i] = old.retired() ? old : old.nextGeneration(true);
            } else {
                boolean changed = old.retired() || !fresh.target().equals(old.target())
                        || !fresh.budgets().equals(old.budgets());
                setups[i] = changed ? fresh.nextGeneration(false) : fresh;
            }
        }
        BudgetPlan.Cap[] caps = plan.caps().values().toArray(new BudgetPlan.Cap[0]);
        Budget[] budgets = new Budget[caps.length];
        for (int i = 0; i < caps.length; i++) {
            budgets[i] = after.budgets().get(caps[i].key());
        }
        return new Reload(before, after, pools, setups, budgets, caps);
    }

    /**
     * Installs a prepared reload, under the pool lock: the layout, the budgets' new sizes, the pools' setups.
     *
     * @return false when the layout changed since {@link #prepare} (a pool was made): prepare again
     */
    boolean apply(Reload reload) {
        assert lock.isHeldByCurrentThread();
        if (!layout.compareAndSet(reload.before(), reload.after())) {
            return false;
        }
        BudgetPlan.Cap[] caps = reload.caps();
        for (int i = 0; i < caps.length; i++) {
            reload.budgets()[i].resize(caps[i].setting(), caps[i].limit(), caps[i].reserve());
        }
        PgmuxConfig config = reload.after().config();
        for (int i = 0; i < reload.pools().length; i++) {
            ServerPool pool = reload.pools()[i];
            pool.setup(reload.setups()[i]);
            String user = pool.key().user();
            if (config.user(user).isPresent()) {
                // The next transaction counts under the user's tenant now; what came before stays where it was.
                pool.stats().countUnder(config.tenantOf(user).map(io.pgmux.config.TenantConfig::name).orElse(null));
            }
        }
        return true;
    }

    private static Map<String, Budget> budgets(BudgetPlan plan, Map<String, Budget> existing) {
        Map<String, Budget> result = new LinkedHashMap<>();
        for (BudgetPlan.Cap each : plan.caps().values()) {
            Budget budget = existing.get(each.key());
            // With a fleet, a capped budget holds for all instances: it allows only what this one has leased.
            result.put(each.key(), budget != null ? budget : new Budget(each.owner(), each.setting(), each.limit(),
                    each.reserve(), plan.config().fleet().enabled() && each.limit() > 0));
        }
        return result;
    }

    /** One breaker per upstream address: refusals from a database server hold back every pool that connects there. */
    private static Map<String, CircuitBreaker> breakers(PgmuxConfig config, Map<String, CircuitBreaker> existing) {
        Map<String, CircuitBreaker> result = new HashMap<>(existing);
        for (DatabaseConfig db : config.databases().values()) {
            String address = db.host() + ":" + db.port();
            result.computeIfAbsent(address, a -> new CircuitBreaker(a, config.timeouts().serverLoginRetry()));
        }
        return Map.copyOf(result);
    }

    private static long checkDelayNanos(PgmuxConfig config) {
        return config.timeouts().serverCheckQuery().isBlank() ? -1 : config.timeouts().serverCheckDelay().toNanos();
    }
}
