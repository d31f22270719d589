package io.pgmux.admin.live;

import io.pgmux.admin.spi.TenantRow;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * SHOW TENANTS' rows: for every database, every tenant some user belongs to (the budgets the pool manager makes),
 * with the connections counting against its budget there and its clients waiting now.
 */
final class TenantRows {
    private TenantRows() {
    }

    static List<TenantRow> of(PgmuxConfig config, List<PoolState> pools) {
        Set<TenantConfig> tenants = new LinkedHashSet<>();
        for (UserConfig user : config.users().values()) {
            config.tenantOf(user.name()).ifPresent(tenants::add);
        }
        List<TenantRow> rows = new ArrayList<>();
        for (DatabaseConfig db : config.databases().values()) {
            for (TenantConfig tenant : tenants) {
                rows.add(row(tenant, db.name(), pools));
            }
        }
        return rows;
    }

    private static TenantRow row(TenantConfig tenant, String database, List<PoolState> pools) {
        int inUse = 0;
        int waiting = 0;
        long longestWait = 0;
        for (PoolState p : pools) {
            if (p.database().equals(database) && tenant.name().equals(p.snapshot().tenant())) {
                // Every pool of the tenant on the database shares the one budget and reports its use.
                inUse = Math.max(inUse, p.snapshot().budgetUsed());
                waiting += p.snapshot().clientsWaiting();
                longestWait = Math.max(longestWait, p.snapshot().maxWaitMicros());
            }
        }
        int ceiling = tenant.mostConnectionsPerDatabase();
        int budget = Math.min(tenant.poolSize(), ceiling);
        return new TenantRow(tenant.name(), database, budget, ceiling - budget, inUse, waiting, longestWait, 0,
                tenant.weight());
    }
}
