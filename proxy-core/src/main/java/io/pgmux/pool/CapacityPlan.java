package io.pgmux.pool;

import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most server connections the configuration lets pgmux open, per budget, per database and per upstream
 * server: the numbers an operator compares with the database's {@code max_connections}. Read off the same
 * {@link BudgetPlan} the pools enforce.
 */
public final class CapacityPlan {
    /** One budget's most connections and where the number comes from. */
    public record Line(String budget, int connections, String basis) {
    }

    /** A database's budgets; {@code cap} is its max_connections (0: none); {@code most} is what it can reach. */
    public record Database(String name, List<Line> budgets, int sum, int cap, int most) {
    }

    /**
     * An upstream server (host:port) and every configured database on it.
     *
     * @param most    the most server connections the budgets allow there (with a fleet: all instances together)
     * @param control connections pgmux keeps there besides: with a fleet, each instance's control connection (1)
     */
    public record Upstream(String address, List<Database> databases, int sum, int globalCap, int most, int control) {
        /** Every connection pgmux may hold there: {@link #most} and the control connection. */
        public int total() {
            return most + control;
        }
    }

    private final List<Upstream> upstreams;

    private CapacityPlan(List<Upstream> upstreams) {
        this.upstreams = List.copyOf(upstreams);
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    public static CapacityPlan of(PgmuxConfig config) {
        return of(BudgetPlan.of(config));
    }

    public static CapacityPlan of(BudgetPlan plan) {
        Map<String, List<Database>> byAddress = new LinkedHashMap<>();
        for (DatabaseConfig db : plan.config().databases().values()) {
            String address = db.host() + ":" + db.port();
            byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(database(plan, db));
        }
        List<Upstream> upstreams = new ArrayList<>();
        int global = plan.global().limit();
        int control = plan.config().fleet().enabled() ? 1 : 0;
        byAddress.forEach((address, databases) -> {
            int sum = databases.stream().mapToInt(Database::most).sum();
            upstreams.add(new Upstream(address, databases, sum, global, global > 0 ? Math.min(sum, global) : sum,
                    control));
        });
        return new CapacityPlan(upstreams);
    }

    private static Database database(BudgetPlan plan, DatabaseConfig db) {
        List<Line> lines = new ArrayList<>();
        for (BudgetPlan.Cap each : plan.poolBudgets(db)) {
            lines.add(new Line(each.owner(), each.most(), each.basis()));
        }
        int sum = lines.stream().mapToInt(Line::connections).sum();
        int cap = plan.database(db.name()).limit();
        return new Database(db.name(), lines, sum, cap, cap > 0 ? Math.min(sum, cap) : sum);
    }
}
