package io.pgmux.admin.live;

import io.pgmux.pool.PoolManager;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.ServerPool;
import io.pgmux.stats.PoolTotals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One pool as the console reads it: its snapshot and its statistics, read one right after the other (each
 * snapshot holds the pool manager's lock briefly, so clients never queue behind the console).
 */
record PoolState(PoolSnapshot snapshot, PoolTotals totals) {
    /** Every pool, by database then user. */
    static List<PoolState> read(PoolManager manager) {
        List<PoolState> result = new ArrayList<>();
        for (ServerPool each : manager.pools()) {
            result.add(new PoolState(each.snapshot(), each.stats().totals()));
        }
        result.sort(Comparator.comparing((PoolState p) -> p.snapshot().database())
                .thenComparing(p -> p.snapshot().user()));
        return result;
    }

    String database() {
        return snapshot.database();
    }

    String user() {
        return snapshot.user();
    }

    /** Server connections the pool holds: active, idle, being checked and on their way in. */
    int serversOpen() {
        return snapshot.serversActive() + snapshot.serversIdle() + snapshot.serversTested()
                + snapshot.serversOpening();
    }

    /** Clients logged in to the pool now. */
    int clientsConnected() {
        return (int) Math.min(Integer.MAX_VALUE, totals.clientsConnected());
    }

    /** Clients logged in and not waiting for a server: PgBouncer's cl_active. */
    int clientsActive() {
        return Math.max(0, clientsConnected() - snapshot.clientsWaiting());
    }
}
