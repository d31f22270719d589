package io.pgmux.admin.spi;

import java.util.Objects;

/**
 * One tenant's budget on one database: a row of SHOW TENANTS.
 *
 * @param budget            server connections the tenant normally gets there (pool_size, within its ceiling)
 * @param reserve           connections it may add once a client waited reserve_pool_timeout
 * @param servers           server connections counting against the budget now, idle ones included
 * @param inUse             of those, the ones linked to a client now (PgBouncer's sv_active, summed over the
 *                          tenant's users)
 * @param waiting           the tenant's clients waiting for a server there
 * @param longestWaitMicros how long the longest of them has waited, in microseconds
 * @param pinned            the tenant's clients pinned to a server there
 * @param weight            its share of contended capacity relative to other tenants
 */
public record TenantRow(String tenant, String database, int budget, int reserve, int servers, int inUse,
                        int waiting, long longestWaitMicros, int pinned, int weight) {
    public TenantRow {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(database, "database");
    }
}
