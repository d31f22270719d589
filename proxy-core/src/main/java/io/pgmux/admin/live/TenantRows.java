package io.pgmux.admin.live;

import io.pgmux.admin.spi.TenantRow;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.pool.PoolSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * SHOW TENANTS' rows: for every database, every tenant some user belongs to (the budgets the pool manager makes),
 * with what its pools there hold and wait for now.
 */
final class TenantRows {
    private TenantRows() {
    }

    static List<TenantRow> of(PgmuxConfig config, List<PoolSnapshot> snapshots) {
        Set<TenantConfig> tenants = new LinkedHashSet<>();
        for (UserConfig user : config.users().values()) {
            config.tenantOf(user.name()).ifPresent(tenants::add);
        }
        List<TenantRow> rows = new ArrayList<>();
        for (DatabaseConfig db : config.databases().values()) {
            for (TenantConfig tenant : tenants) {
                rows.add(row(config, tenant, db.name(), snapshots));
            }
        }
        return rows;
    }

    private static TenantRow row(PgmuxConfig config, TenantConfig tenant, String database,
                                 List<PoolSnapshot> snapshots) {
        int inUse = 0;
        int waiting = 0;
        long longestWait = 0;
        for (PoolSnapshot s : snapshots) {
            boolean ours = s.database().equals(database)
                    && config.tenantOf(s.user()).map(t -> t.name().equals(tenant.name())).orElse(false);
            if (ours) {
                inUse += LiveAdminView.open(s);
                waiting += s.clientsWaiting();
                longestWait = Math.max(longestWait, s.maxWaitMicros());
            }
        }
        int ceiling = tenant.mostConnectionsPerDatabase();
        int budget = Math.min(tenant.poolSize(), ceiling);
        return new TenantRow(tenant.name(), database, budget, ceiling - budget, inUse, waiting, longestWait, 0,
                tenant.weight());
    }
}
