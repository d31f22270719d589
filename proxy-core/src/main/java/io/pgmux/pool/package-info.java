/**
 * Server connection pools. One {@link io.pgmux.pool.ServerPool} per (database, user); the
 * {@link io.pgmux.pool.PoolManager} owns them all behind one lock, so every connection budget (the tenant's on a
 * database, the database's, the global one) holds at once under any interleaving. Nothing here calls into a
 * connection while holding the lock: work found under the lock runs after it is released.
 */
package io.pgmux.pool;
