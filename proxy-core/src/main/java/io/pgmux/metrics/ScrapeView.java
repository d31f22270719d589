package io.pgmux.metrics;

import io.pgmux.pool.PoolManager;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.ServerPool;
import io.pgmux.stats.PoolTotals;
import io.pgmux.stats.StatsSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one scrape reads, once: each pool's snapshot (one short hold of the pool manager's lock per pool, so
 * clients never queue behind a scrape) with its statistics, every pool's statistics (some exist before their
 * pool, e.g. after a failed login), and the readiness of the databases.
 */
record ScrapeView(List<PoolRow> pools, StatsSnapshot stats, Readiness.Report readiness) {

    /** A pool's state and its totals, read one right after the other. */
    record PoolRow(PoolSnapshot snapshot, PoolTotals totals) {
        /** Clients logged in and not waiting for a server: PgBouncer's cl_active. */
        long clientsActive() {
            return Math.max(0, totals.clientsConnected() - snapshot.clientsWaiting());
        }
    }

    static ScrapeView read(PoolManager manager, Readiness readiness) {
        List<PoolRow> rows = new ArrayList<>();
        for (ServerPool each : manager.pools()) {
            rows.add(new PoolRow(each.snapshot(), each.stats().totals()));
        }
        rows.sort(Comparator.comparing((PoolRow r) -> r.snapshot().database()).thenComparing(r -> r.snapshot().user()));
        return new ScrapeView(rows, manager.stats().snapshot(), readiness.check());
    }
}
