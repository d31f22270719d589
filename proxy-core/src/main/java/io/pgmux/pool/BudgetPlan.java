package io.pgmux.pool;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The connection budgets a configuration sets up and which of them each pool draws on: the one place where the
 * budget rules live. The pools enforce these budgets and the budget table ({@link CapacityPlan}) shows them, so
 * what the table promises is what pgmux enforces.
 *
 * <p>The rules: a server connection of user U to database D counts against (1) the budget of U's tenant on D
 * ({@code pool_size}, plus {@code reserve_pool_size} for clients that waited {@code reserve_pool_timeout}, never
 * past the tenant's {@code max_server_connections}), or, for a user without a tenant, U's own budget on D
 * ({@code default_pool_size}); (2) D's {@code max_connections}; (3) pgmux's {@code max_server_connections}. A
 * limit of 0 means no cap.
 */
public final class BudgetPlan {
    /**
     * One budget.
     *
     * @param key     names it across reloads: a budget with the same key is the same budget, resized
     * @param owner   what it covers, e.g. "tenant web on database app"
     * @param setting the setting that sizes it, e.g. "pool_size"
     * @param limit   connections normally allowed; 0 for no cap
     * @param reserve connections beyond {@code limit} for clients that waited reserve_pool_timeout
     * @param basis   where the most connections come from, for the budget table, e.g. "pool_size 8 + reserve_pool_size 2"
     */
    public record Cap(String key, String owner, String setting, int limit, int reserve, String basis) {
        /** The most connections it allows; 0 for no cap. */
        public int most() {
            return limit == 0 ? 0 : limit + reserve;
        }
    }

    /** The budget owner of users found by auth_query that have no tenant: they share one budget per database. */
    private static final String FOUND_USERS = "users found by auth_query";

    private final PgmuxConfig config;
    private final Cap global;
    private final Map<String, Cap> databases = new LinkedHashMap<>();
    private final Map<String, Cap> caps = new LinkedHashMap<>();

    private BudgetPlan(PgmuxConfig config) {
        this.config = config;
        this.global = new Cap("pgmux", "pgmux", "max_server_connections", config.maxServerConnections(), 0,
                "max_server_connections " + config.maxServerConnections());
        caps.put(global.key(), global);
        for (DatabaseConfig db : config.databases().values()) {
            Cap cap = new Cap("database " + db.name(), "database " + db.name(), "max_connections",
                    db.maxConnections(), 0, "max_connections " + db.maxConnections());
            databases.put(db.name(), cap);
            caps.put(cap.key(), cap);
            for (Cap each : poolBudgets(db)) {
                caps.put(each.key(), each);
            }
        }
    }

    public static BudgetPlan of(PgmuxConfig config) {
        return new BudgetPlan(config);
    }

    public PgmuxConfig config() {
        return config;
    }

    /** Every budget, the global one first, then per database its own and its pools' budgets. */
    public Map<String, Cap> caps() {
        return Collections.unmodifiableMap(caps);
    }

    public Cap global() {
        return global;
    }

    /** The max_connections budget of a configured database. */
    public Cap database(String database) {
        return databases.get(database);
    }

    /**
     * The budgets a server of {@code user} on {@code database} counts against, the pool's own (tenant or user)
     * first, then the database's, then the global one; empty when either is not configured.
     */
    public Optional<List<Cap>> capsOf(String database, String user) {
        Optional<DatabaseConfig> db = config.database(database);
        Optional<UserConfig> login = config.user(user);
        // A user auth_query found for the database counts like a configured user without a tenant of its own.
        if (db.isEmpty() || (login.isEmpty() && config.authQueryFor(database).isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(List.of(caps.get(poolBudgetKey(database, user)), databases.get(database), global));
    }

    /**
     * The budgets of the pools that can exist on {@code db}: every client of a configured user may ask for any
     * database, so each database can see every tenant some user belongs to, and a budget of its own for every
     * user without a tenant. Tenants no user names count nothing.
     */
    public List<Cap> poolBudgets(DatabaseConfig db) {
        List<Cap> result = new ArrayList<>();
        Set<TenantConfig> tenants = new LinkedHashSet<>();
        List<UserConfig> ownPools = new ArrayList<>();
        for (UserConfig user : config.users().values()) {
            config.tenantOf(user.name()).ifPresentOrElse(tenants::add, () -> ownPools.add(user));
        }
        boolean lookedUp = config.authQueryFor(db.name()).isPresent();
        if (lookedUp) {
            // Users found by auth_query belong to default_tenant; without one they share a budget.
            config.defaultTenant().map(config.tenants()::get).ifPresent(tenants::add);
        }
        for (TenantConfig tenant : tenants) {
            result.add(tenantCap(tenant, db.name()));
        }
        if (lookedUp && config.defaultTenant().isEmpty()) {
            String owner = FOUND_USERS + " on database " + db.name();
            result.add(new Cap(owner, owner, "default_pool_size", config.defaultPoolSize(), 0,
                    "default_pool_size " + config.defaultPoolSize()));
        }
        for (UserConfig user : ownPools) {
            result.add(new Cap("user " + user.name() + " on database " + db.name(), "user " + user.name()
                    + " on database " + db.name(), "default_pool_size", config.defaultPoolSize(), 0,
                    "default_pool_size " + config.defaultPoolSize()));
        }
        return result;
    }

    /** pool_size normally; up to pool_size + reserve_pool_size, never past max_server_connections, for long waits. */
    private static Cap tenantCap(TenantConfig tenant, String database) {
        int most = tenant.mostConnectionsPerDatabase();
        int normal = Math.min(tenant.poolSize(), most);
        String basis = "pool_size " + tenant.poolSize()
                + (tenant.reservePoolSize() > 0 ? " + reserve_pool_size " + tenant.reservePoolSize() : "")
                + (most < tenant.poolSize() + tenant.reservePoolSize()
                ? ", max_server_connections " + tenant.maxServerConnections() : "");
        String owner = "tenant " + tenant.name() + " on database " + database;
        return new Cap(owner, owner, "pool_size", normal, most - normal, basis);
    }

    private String poolBudgetKey(String database, String user) {
        return config.tenantOf(user).map(t -> "tenant " + t.name() + " on database " + database)
                .orElse((config.user(user).isPresent() ? "user " + user : FOUND_USERS) + " on database " + database);
    }

    /** The settings a pool of {@code user} takes from its tenant, or the defaults for a user without one. */
    public PoolSettings settings(String user) {
        Duration queryWaitTimeout = config.timeouts().queryWaitTimeout();
        return config.tenantOf(user)
                .map(t -> new PoolSettings(t.weight(), t.minPoolSize(), t.reservePoolTimeout(),
                        t.queryWaitTimeout().orElse(queryWaitTimeout)))
                .orElseGet(() -> new PoolSettings(1, 0, Duration.ZERO, queryWaitTimeout));
    }
}
