package io.pgmux.pool;

import io.pgmux.config.PoolMode;
import io.pgmux.server.UpstreamTarget;
import java.util.List;

/**
 * What a pool takes from the configuration, swapped as a whole when it is reloaded.
 *
 * @param budgets    the budgets a new connection counts against: the pool's own (tenant or user) first, then the
 *                   database's, then the global one
 * @param breaker    the circuit breaker of the upstream the target points at
 * @param generation grows whenever the target or the budgets change: connections opened under an older one are
 *                   closed once idle
 * @param retired    the database or the user left the configuration: the pool serves the clients still on it,
 *                   keeps no minimum and closes its servers once idle
 */
record PoolSetup(UpstreamTarget target, PoolMode mode, List<Budget> budgets, PoolSettings settings,
                 CircuitBreaker breaker, int generation, boolean retired) {
    PoolSetup {
        budgets = List.copyOf(budgets);
    }

    /** The same setup under a new generation: its servers close once idle. */
    PoolSetup nextGeneration(boolean retire) {
        return new PoolSetup(target, mode, budgets, settings, breaker, generation + 1, retire);
    }

    /** The budget shared by the tenant's pools on this database (or the user's own, without a tenant). */
    Budget tenantBudget() {
        return budgets.get(0);
    }
}
