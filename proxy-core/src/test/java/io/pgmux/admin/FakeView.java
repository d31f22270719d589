package io.pgmux.admin;

import io.pgmux.admin.spi.AdminView;
import io.pgmux.admin.spi.BudgetRow;
import io.pgmux.admin.spi.ConfigRow;
import io.pgmux.admin.spi.ConnectionRow;
import io.pgmux.admin.spi.DatabaseRow;
import io.pgmux.admin.spi.ListCounts;
import io.pgmux.admin.spi.PauseState;
import io.pgmux.admin.spi.RunState;
import io.pgmux.admin.spi.PeerRow;
import io.pgmux.admin.spi.PoolRow;
import io.pgmux.admin.spi.PreparedRow;
import io.pgmux.admin.spi.StatsCounters;
import io.pgmux.admin.spi.StatsRow;
import io.pgmux.admin.spi.TenantRow;
import io.pgmux.admin.spi.UserRow;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A view with one row of everything, values chosen so each column's cell is recognisable. */
final class FakeView implements AdminView {
    static final Instant CONNECTED = Instant.parse("2026-03-01T12:00:00Z");

    List<PoolRow> pools = List.of(new PoolRow("app", "api", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2_500_000, "transaction",
            null, "web", 12, "closed"));
    List<ConnectionRow> clients = List.of(new ConnectionRow("api", "app", "none", "active", "10.0.0.7", 50123,
            "10.0.0.1", 6432, CONNECTED, CONNECTED.plusSeconds(5), 1_000_002, false, "c1", "s9", 0, "",
            "billing", 3, 17, "web", "LISTEN"));
    List<ConnectionRow> servers = List.of(new ConnectionRow("api", "app", "none", "idle", "10.0.0.2", 5432,
            "10.0.0.1", 40000, CONNECTED, CONNECTED, 0, true, "s9", "", 31337, "TLSv1.3", "", 0, 9, "web", null));
    List<DatabaseRow> databases = List.of(new DatabaseRow("app", "db.internal", 5432, "app_prod", null, 5, 0, 0,
            3600, null, null, 20, 7, 0, 12, false, true));
    List<UserRow> users = List.of(new UserRow("api", null, 2, "session", 0, 4, 0, 9, "web"));
    List<ConfigRow> config = List.of(new ConfigRow("max_client_conn", "10000", "10000", true),
            new ConfigRow("max_user_connections", "0", "0", false));
    List<StatsRow> stats = List.of(new StatsRow("app",
            new StatsCounters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
            new StatsCounters(21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)));
    StatsRow totals = new StatsRow("", new StatsCounters(101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111),
            new StatsCounters(201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211));
    ListCounts lists = new ListCounts(1, 2, 2, 3, 4, 5, 6);
    List<PeerRow> peers = List.of(new PeerRow(1, "10.0.0.5", 6433, 0), new PeerRow(2, "10.0.0.6", 6433, 0));
    PauseState pauseState = PauseState.ACTIVE;
    RunState runState = RunState.SERVING;
    List<TenantRow> tenants = List.of(new TenantRow("web", "app", 8, 2, 10, 9, 3, 1500, 1, 2));
    List<BudgetRow> budgets = List.of(new BudgetRow("db.internal:5432", "tenant web on database app", 10, 9,
            "pool_size 8 + reserve_pool_size 2", 17), new BudgetRow("db.internal:5432", "slots", 22, null, "x"));
    List<PreparedRow> prepared = List.of(new PreparedRow("app", "api", "pgmux_1a2b", "SELECT $1", 3, 40));
    /** When set, what servers() answers: rows the event loops have not all given yet. */
    CompletableFuture<List<ConnectionRow>> serversLater;
    /** Thrown by every method when set: a view that fails. */
    RuntimeException failure;

    private <T> T answer(T value) {
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    @Override
    public List<PoolRow> pools() {
        return answer(pools);
    }

    @Override
    public CompletionStage<List<ConnectionRow>> clients() {
        return CompletableFuture.completedFuture(answer(clients));
    }

    @Override
    public CompletionStage<List<ConnectionRow>> servers() {
        return serversLater != null ? serversLater : CompletableFuture.completedFuture(answer(servers));
    }

    @Override
    public List<DatabaseRow> databases() {
        return answer(databases);
    }

    @Override
    public List<UserRow> users() {
        return answer(users);
    }

    @Override
    public List<ConfigRow> config() {
        return answer(config);
    }

    @Override
    public List<StatsRow> stats() {
        return answer(stats);
    }

    @Override
    public StatsRow totals() {
        return answer(totals);
    }

    @Override
    public ListCounts lists() {
        return answer(lists);
    }

    @Override
    public PauseState pauseState() {
        return answer(pauseState);
    }

    @Override
    public RunState runState() {
        return answer(runState);
    }

    @Override
    public List<TenantRow> tenants() {
        return answer(tenants);
    }

    @Override
    public List<BudgetRow> budgets() {
        return answer(budgets);
    }

    @Override
    public CompletionStage<List<PreparedRow>> prepared() {
        return CompletableFuture.completedFuture(answer(prepared));
    }

    @Override
    public List<PeerRow> peers() {
        return answer(peers);
    }
}
