/**
 * Server connection pools. One {@link io.pgmux.pool.ServerPool} per (database, user), behind the
 * {@link io.pgmux.pool.PoolManager} facade:
 * <ul>
 *   <li>{@link io.pgmux.pool.PoolRegistry}: the pools, budgets and circuit breakers of the configuration in
 *       force, one layout swapped whole (where the configuration is swapped on reload);</li>
 *   <li>{@link io.pgmux.pool.BudgetPlan}: where budgets are decided, for the pools and the budget table alike;</li>
 *   <li>{@link io.pgmux.pool.PoolCore}: lending and taking back servers; {@link io.pgmux.pool.Connections}:
 *       opening and closing them within the budgets; {@link io.pgmux.pool.Fairness}: who gets a full budget's
 *       next place;</li>
 *   <li>{@link io.pgmux.pool.Janitor}: the timers.</li>
 * </ul>
 *
 * <p>A server's state is the list it sits on ({@link io.pgmux.pool.ServerList}); {@link
 * io.pgmux.pool.PooledServer#moveTo} is the one place it changes. Idle and active servers live on per-event-loop
 * lists touched only on their loop, so lending an idle server to a client of the same loop takes no lock while
 * nobody waits. Everything else (waiting clients, budgets, the other lists) is guarded by one
 * {@link io.pgmux.pool.PoolLock}, so every budget (the tenant's on a database, the database's, the global one)
 * holds at once under any interleaving; nothing is logged, called out to or (in the steady state) allocated
 * while holding it: work found under the lock is recorded in a {@link io.pgmux.pool.Work} and runs after.
 */
package io.pgmux.pool;
