package io.pgmux.admin.live;

import io.pgmux.admin.spi.AdminView;
import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.admin.spi.DatabaseRow;
import io.pgmux.admin.spi.ListCounts;
import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.PoolRow;
import io.pgmux.admin.spi.PreparedRow;
import io.pgmux.admin.spi.StatsCounters;
import io.pgmux.admin.spi.StatsRow;
import io.pgmux.admin.spi.TenantRow;
import io.pgmux.admin.spi.UserRow;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.ServerPool;
import io.pgmux.server.UpstreamSlots;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The console's view of today's proxy: the configuration, the pool manager's snapshots ({@link PoolSnapshot}:
 * waiting clients, servers active, idle and logging in, the longest wait, the upstream's circuit) and the budget
 * plan. Connection lists, statistics, pause state and prepared statements are not tracked yet; they show as
 * PgBouncer shows an idle pooler (no rows, zeros, "active").
 */
public final class LiveAdminView implements AdminView {
    private final PgmuxConfig config;
    private final PoolManager pools;
    private final IntSupplier connectedClients;
    private final Function<String, Optional<UpstreamSlots>> slots;

    /**
     * @param connectedClients clients connected now, logging in or logged in
     * @param slots            the slots last read from an upstream (by "host:port"), if it was asked
     */
    public LiveAdminView(PgmuxConfig config, PoolManager pools, IntSupplier connectedClients,
                         Function<String, Optional<UpstreamSlots>> slots) {
        this.config = config;
        this.pools = pools;
        this.connectedClients = connectedClients;
        this.slots = slots;
    }

    @Override
    public List<PoolRow> pools() {
        List<PoolRow> rows = new ArrayList<>();
        for (PoolSnapshot s : snapshots()) {
            rows.add(new PoolRow(s.database(), s.user(), 0, s.clientsWaiting(), 0, 0, s.serversActive(), 0, 0,
                    s.serversIdle(), 0, 0, s.serversOpening(), s.maxWaitMicros(), s.poolMode(), null,
                    tenantOf(s.user()), 0, s.upstreamCircuit().name().toLowerCase(Locale.ROOT)));
        }
        return rows;
    }

    @Override
    public List<ConnectionRow> clients() {
        return List.of();
    }

    @Override
    public List<ConnectionRow> servers() {
        return List.of();
    }

    @Override
    public List<DatabaseRow> databases() {
        List<PoolSnapshot> snapshots = snapshots();
        List<DatabaseRow> rows = new ArrayList<>();
        for (DatabaseConfig db : config.databases().values()) {
            int open = 0;
            for (PoolSnapshot s : snapshots) {
                if (s.database().equals(db.name())) {
                    open += open(s);
                }
            }
            rows.add(new DatabaseRow(db.name(), db.host(), db.port(), db.dbname(), db.user().orElse(null),
                    config.defaultPoolSize(), 0, 0, config.timeouts().serverLifetime().toSeconds(),
                    db.poolMode().map(PoolMode::configName).orElse(null), null, db.maxConnections(), open, 0, 0,
                    false, false));
        }
        return rows;
    }

    @Override
    public List<UserRow> users() {
        List<PoolSnapshot> snapshots = snapshots();
        List<UserRow> rows = new ArrayList<>();
        for (UserConfig user : config.users().values()) {
            int open = 0;
            for (PoolSnapshot s : snapshots) {
                if (s.user().equals(user.name())) {
                    open += open(s);
                }
            }
            rows.add(new UserRow(user.name(), null, null, user.poolMode().map(PoolMode::configName).orElse(null),
                    0, open, 0, 0, tenantOf(user.name())));
        }
        return rows;
    }

    @Override
    public List<ConfigRow> config() {
        return ConfigRows.of(config);
    }

    /** A zero row per database that has a pool, as PgBouncer shows pools no traffic has passed through yet. */
    @Override
    public List<StatsRow> stats() {
        List<StatsRow> rows = new ArrayList<>();
        for (String database : new TreeSet<>(snapshots().stream().map(PoolSnapshot::database).toList())) {
            rows.add(new StatsRow(database, StatsCounters.ZERO, StatsCounters.ZERO));
        }
        return rows;
    }

    @Override
    public StatsRow totals() {
        return new StatsRow("", StatsCounters.ZERO, StatsCounters.ZERO);
    }

    @Override
    public ListCounts lists() {
        int servers = 0;
        List<PoolSnapshot> snapshots = snapshots();
        for (PoolSnapshot s : snapshots) {
            servers += open(s);
        }
        return new ListCounts(config.databases().size(), config.users().size(), snapshots.size(),
                connectedClients.getAsInt(), 0, servers);
    }

    @Override
    public PauseState pauseState() {
        return PauseState.ACTIVE;
    }

    @Override
    public List<TenantRow> tenants() {
        return TenantRows.of(config, snapshots());
    }

    @Override
    public List<BudgetRow> budgets() {
        return BudgetRows.of(config, snapshots(), slots);
    }

    @Override
    public List<PreparedRow> prepared() {
        return List.of();
    }

    /** Every pool's snapshot, by database then user. */
    private List<PoolSnapshot> snapshots() {
        List<PoolSnapshot> result = new ArrayList<>();
        for (ServerPool each : pools.pools()) {
            result.add(each.snapshot());
        }
        result.sort(Comparator.comparing(PoolSnapshot::database).thenComparing(PoolSnapshot::user));
        return result;
    }

    private String tenantOf(String user) {
        return config.tenantOf(user).map(TenantConfig::name).orElse(null);
    }

    /** Server connections a pool holds: active, idle and on their way in. */
    static int open(PoolSnapshot s) {
        return s.serversActive() + s.serversIdle() + s.serversOpening();
    }
}
