package io.pgmux.admin.live;

import io.pgmux.admin.spi.AdminView;
import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.admin.spi.DatabaseRow;
import io.pgmux.admin.spi.FleetLeaseRow;
import io.pgmux.admin.spi.ListCounts;
import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.RunState;
import io.pgmux.admin.spi.PeerRow;
import io.pgmux.admin.spi.PoolRow;
import io.pgmux.admin.spi.PreparedRow;
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
import io.pgmux.server.UpstreamSlots;
import io.pgmux.stats.StatsPeriod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The console's view of today's proxy: the configuration, the pool manager's snapshots ({@link PoolSnapshot}:
 * waiting clients, servers by state, the longest wait, the upstream's circuit, the budget in use), each pool's
 * statistics and the averages of the last stats period, and the budget plan; the clients and the servers, each
 * read on its own event loop ({@link ClientCensus}, {@link PoolManager#servers()}); PAUSE, SUSPEND and DISABLE as
 * the runtime holds them. SHOW PREPARED reads both censuses ({@link PreparedRows}).
 */
public final class LiveAdminView implements AdminView {
    private final PoolManager pools;
    private final StatsPeriod period;
    private final IntSupplier connectedClients;
    private final Function<String, Optional<UpstreamSlots>> slots;
    private final ClientDirectory clients;
    private final Supplier<PauseState> pauseState;
    private final Supplier<List<FleetLeaseRow>> fleet;
    private final Supplier<RunState> runState;

    /**
     * A view of the pools alone: no clients, nothing disabled, and the pause state the pools hold (PAUSE of every
     * database is {@code paused}; SUSPEND is not told apart).
     *
     * @param period           the stats period whose averages SHOW STATS shows (over {@code pools}' statistics)
     * @param connectedClients clients connected now, logging in or logged in
     * @param slots            the slots last read from an upstream (by "host:port"), if it was asked
     */
    public LiveAdminView(PoolManager pools, StatsPeriod period, IntSupplier connectedClients,
                         Function<String, Optional<UpstreamSlots>> slots) {
        this(pools, period, connectedClients, slots, ClientDirectory.NONE,
                () -> pools.isPausedEverywhere() ? PauseState.PAUSED : PauseState.ACTIVE);
    }

    /**
     * @param clients    the logged-in clients (SHOW CLIENTS, SERVERS' links) and the disabled databases
     * @param pauseState whether pgmux serves, is paused or suspended (SHOW STATE)
     */
    public LiveAdminView(PoolManager pools, StatsPeriod period, IntSupplier connectedClients,
                         Function<String, Optional<UpstreamSlots>> slots, ClientDirectory clients,
                         Supplier<PauseState> pauseState) {
        this(pools, period, connectedClients, slots, clients, pauseState, List::of, () -> RunState.SERVING);
    }

    /**
     * @param fleet    the fleet's instances and leases as last read, for SHOW FLEET
     * @param runState serving or shutting down, as the runtime's readiness says (SHOW STATE)
     */
    public LiveAdminView(PoolManager pools, StatsPeriod period, IntSupplier connectedClients,
                         Function<String, Optional<UpstreamSlots>> slots, ClientDirectory clients,
                         Supplier<PauseState> pauseState, Supplier<List<FleetLeaseRow>> fleet,
                         Supplier<RunState> runState) {
        this.fleet = fleet;
        this.runState = runState;
        this.clients = clients;
        this.pauseState = pauseState;
        this.pools = pools;
        this.period = period;
        this.connectedClients = connectedClients;
        this.slots = slots;
    }

    @Override
    public List<PoolRow> pools() {
        List<PoolRow> rows = new ArrayList<>();
        for (PoolState p : PoolState.read(pools)) {
            PoolSnapshot s = p.snapshot();
            rows.add(new PoolRow(s.database(), s.user(), p.clientsActive(), s.clientsWaiting(), 0, 0,
                    s.serversActive(), 0, 0, s.serversIdle(), 0, s.serversTested(), s.serversOpening(),
                    s.maxWaitMicros(), s.poolMode(), null, s.tenant(), 0,
                    s.upstreamCircuit().name().toLowerCase(Locale.ROOT)));
        }
        return rows;
    }

    @Override
    public CompletionStage<List<ConnectionRow>> clients() {
        return ClientCensus.take(clients::forEachClient).thenApply(infos -> ClientRows.of(infos, pools.config(),
                System.currentTimeMillis(), System.nanoTime()));
    }

    @Override
    public CompletionStage<List<ConnectionRow>> servers() {
        return pools.servers().thenCombine(ClientCensus.take(clients::forEachClient),
                (servers, linked) -> ServerRows.of(servers, linked, System.currentTimeMillis()));
    }

    @Override
    public List<DatabaseRow> databases() {
        List<PoolState> state = PoolState.read(pools);
        List<DatabaseRow> rows = new ArrayList<>();
        for (DatabaseConfig db : current().databases().values()) {
            int servers = 0;
            int clients = 0;
            for (PoolState p : state) {
                if (p.database().equals(db.name())) {
                    servers += p.serversOpen();
                    clients += p.clientsConnected();
                }
            }
            rows.add(new DatabaseRow(db.name(), db.host(), db.port(), db.dbname(), db.user().orElse(null),
                    current().defaultPoolSize(), 0, 0, current().timeouts().serverLifetime().toSeconds(),
                    db.poolMode().map(PoolMode::configName).orElse(null), null, db.maxConnections(), servers, 0,
                    clients, pools.isPaused(db.name()), this.clients.isDisabled(db.name())));
        }
        return rows;
    }

    @Override
    public List<UserRow> users() {
        List<PoolState> state = PoolState.read(pools);
        List<UserRow> rows = new ArrayList<>();
        for (UserConfig user : current().users().values()) {
            int servers = 0;
            int clients = 0;
            for (PoolState p : state) {
                if (p.user().equals(user.name())) {
                    servers += p.serversOpen();
                    clients += p.clientsConnected();
                }
            }
            rows.add(new UserRow(user.name(), null, null, user.poolMode().map(PoolMode::configName).orElse(null),
                    0, servers, 0, clients, current().tenantOf(user.name()).map(TenantConfig::name).orElse(null)));
        }
        return rows;
    }

    @Override
    public List<ConfigRow> config() {
        return ConfigRows.of(current());
    }

    @Override
    public List<StatsRow> stats() {
        return StatsRows.perDatabase(pools.stats(), period);
    }

    @Override
    public StatsRow totals() {
        return StatsRows.overall(pools.stats(), period);
    }

    @Override
    public ListCounts lists() {
        List<PoolState> state = PoolState.read(pools);
        int servers = 0;
        for (PoolState p : state) {
            servers += p.serversOpen();
        }
        return new ListCounts(current().databases().size(), current().users().size(),
                current().peers().peers().size(), state.size(),
                connectedClients.getAsInt(), clients.loginClients(), servers);
    }

    @Override
    public PauseState pauseState() {
        return pauseState.get();
    }

    @Override
    public RunState runState() {
        return runState.get();
    }

    @Override
    public List<TenantRow> tenants() {
        return TenantRows.of(current(), PoolState.read(pools));
    }

    @Override
    public List<BudgetRow> budgets() {
        return BudgetRows.of(current(), PoolState.read(pools), slots, fleet.get());
    }

    @Override
    public CompletionStage<List<PreparedRow>> prepared() {
        return pools.servers().thenCombine(ClientCensus.take(clients::forEachClient), PreparedRows::of);
    }

    /** The configuration in force: a reload reaches the console's next answer. */
    private PgmuxConfig current() {
        return pools.config();
    }

    @Override
    public List<PeerRow> peers() {
        List<PeerRow> rows = new ArrayList<>();
        current().peers().peers().forEach((id, address) -> rows.add(new PeerRow(id, address.host(), address.port(),
                0)));
        return rows;
    }

    @Override
    public List<FleetLeaseRow> fleet() {
        return fleet.get();
    }
}
