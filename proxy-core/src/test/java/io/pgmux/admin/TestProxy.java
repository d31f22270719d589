package io.pgmux.admin;

import io.pgmux.admin.live.LiveAdminView;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.server.UpstreamSlots;
import io.pgmux.stats.StatsPeriod;
import io.pgmux.stats.StatsRegistry;
import io.pgmux.testing.TestLoops;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration and a pool manager as a running pgmux has them, without connecting anywhere: pools exist once
 * asked for, and their snapshots show no traffic. The console's live view reads them.
 */
final class TestProxy {
    static final String YAML = """
            listen: {host: 127.0.0.1, port: 6432}
            max_server_connections: 30
            query_timeout: 1500ms
            databases:
              app: {host: 10.0.0.2, port: 5432, max_connections: 20}
              reports: {host: 10.0.0.3, dbname: reporting, user: reporter, password: x, pool_mode: session}
            users:
              - {name: api, password: a, tenant: web}
              - {name: etl, password: b}
              - {name: root, password: r}
              - {name: monitor, password: m}
            tenants:
              web: {pool_size: 8, reserve_pool_size: 2, weight: 3}
            admin:
              users: [root]
              stats_users: [monitor]
            """;

    final PgmuxConfig config = ConfigLoader.parse(YAML, "pgmux.yaml", Map.of());
    final StatsRegistry stats = new StatsRegistry();
    /** A stats period that starts at 0 ns; {@code period.roll(n)} ends it n ns later. */
    final StatsPeriod period = new StatsPeriod(stats, 0);
    // No connector, and event loops the test thread plays: nothing here opens a connection.
    final PoolManager pools = new PoolManager(config, null, new TestLoops(1), stats);

    /** The live view, with 3 clients connected and the slots of 10.0.0.2:5432 known. */
    LiveAdminView view() {
        return new LiveAdminView(pools, period, () -> 3, address -> address.equals("10.0.0.2:5432")
                ? Optional.of(new UpstreamSlots(25, 3, 0, 1)) : Optional.empty());
    }

    AdminConsole console() {
        return new AdminConsole(view(), new FakeControl(), "0.1.0");
    }
}
