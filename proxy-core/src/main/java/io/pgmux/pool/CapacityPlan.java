package io.pgmux.pool;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The most server connections the configuration lets pgmux open, per budget, per database and per upstream
 * server: the numbers an operator compares with the database's {@code max_connections}. It mirrors how
 * {@link PoolManager} builds its budgets, so what the table promises is what pgmux enforces.
 */
public final class CapacityPlan {
    /** One budget's most connections and where the number comes from. */
    public record Line(String budget, int connections, String basis) {
    }

    /** A database's budgets; {@code cap} is its max_connections (0: none); {@code most} is what it can reach. */
    public record Database(String name, List<Line> budgets, int sum, int cap, int most) {
    }

    /** An upstream server (host:port) and every configured database on it. */
    public record Upstream(String address, List<Database> databases, int sum, int globalCap, int most) {
    }

    private final List<Upstream> upstreams;

    private CapacityPlan(List<Upstream> upstreams) {
        this.upstreams = List.copyOf(upstreams);
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    public static CapacityPlan of(PgmuxConfig config) {
        Map<String, List<Database>> byAddress = new LinkedHashMap<>();
        for (DatabaseConfig db : config.databases().values()) {
            String address = db.host() + ":" + db.port();
            byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(database(config, db));
        }
        List<Upstream> upstreams = new ArrayList<>();
        byAddress.forEach((address, databases) -> {
            int sum = databases.stream().mapToInt(Database::most).sum();
            int global = config.maxServerConnections();
            upstreams.add(new Upstream(address, databases, sum, global, global > 0 ? Math.min(sum, global) : sum));
        });
        return new CapacityPlan(upstreams);
    }

    /**
     * Every client of a configured user may ask for any database, so each database can see every tenant some
     * user belongs to, and a pool of its own for every user without a tenant.
     */
    private static Database database(PgmuxConfig config, DatabaseConfig db) {
        List<Line> lines = new ArrayList<>();
        Set<TenantConfig> tenants = new LinkedHashSet<>();
        List<UserConfig> ownPools = new ArrayList<>();
        for (UserConfig user : config.users().values()) {
            config.tenantOf(user.name()).ifPresentOrElse(tenants::add, () -> ownPools.add(user));
        }
        for (TenantConfig tenant : tenants) {
            int most = tenant.mostConnectionsPerDatabase();
            String basis = "pool_size " + tenant.poolSize()
                    + (tenant.reservePoolSize() > 0 ? " + reserve_pool_size " + tenant.reservePoolSize() : "")
                    + (most < tenant.poolSize() + tenant.reservePoolSize()
                    ? ", max_server_connections " + tenant.maxServerConnections() : "");
            lines.add(new Line("tenant " + tenant.name() + " on database " + db.name(), most, basis));
        }
        for (UserConfig user : ownPools) {
            lines.add(new Line("user " + user.name() + " on database " + db.name(), config.defaultPoolSize(),
                    "default_pool_size " + config.defaultPoolSize()));
        }
        int sum = lines.stream().mapToInt(Line::connections).sum();
        int cap = db.maxConnections();
        return new Database(db.name(), lines, sum, cap, cap > 0 ? Math.min(sum, cap) : sum);
    }
}
