package io.pgmux.admin.live;

import io.pgmux.admin.spi.TenantRow;
import io.pgmux.config.DatabaseConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.TenantConfig;
import io.pgmux.config.UserConfig;
import io.pgmux.pool.TenantLoad;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SHOW TENANTS' rows: for every database, every tenant some user belongs to (the budgets the pool manager makes),
 * with the connections counting against its budget there, those of them serving its clients, and its clients
 * waiting now, summed over the tenant's users ({@link TenantLoad}).
 */
final class TenantRows {
    private TenantRows() {
    }

    static List<TenantRow> of(PgmuxConfig config, List<PoolState> pools) {
        Set<TenantConfig> tenants = new LinkedHashSet<>();
        for (UserConfig user : config.users().values()) {
            config.tenantOf(user.name()).ifPresent(tenants::add);
        }
        Map<List<String>, TenantLoad> loads = new HashMap<>();
        for (TenantLoad each : TenantLoad.of(pools.stream().map(PoolState::snapshot).toList())) {
            loads.put(List.of(each.database(), each.tenant()), each);
        }
        List<TenantRow> rows = new ArrayList<>();
        for (DatabaseConfig db : config.databases().values()) {
            for (TenantConfig tenant : tenants) {
                rows.add(row(tenant, db.name(), loads.get(List.of(db.name(), tenant.name()))));
            }
        }
        return rows;
    }

    /** {@code load} is null while no user of the tenant has a pool on the database. */
    private static TenantRow row(TenantConfig tenant, String database, TenantLoad load) {
        int ceiling = tenant.mostConnectionsPerDatabase();
        int budget = Math.min(tenant.poolSize(), ceiling);
        if (load == null) {
            return new TenantRow(tenant.name(), database, budget, ceiling - budget, 0, 0, 0, 0, 0, tenant.weight());
        }
        return new TenantRow(tenant.name(), database, budget, ceiling - budget, load.servers(), load.inUse(),
                load.waiting(), load.longestWaitMicros(), 0, tenant.weight());
    }
}
