/**
 * Statistics of the pools: counters and latency histograms per pool (database and login user, with the pool's
 * tenant), updated on the event loops without contention and read as immutable snapshots. One model feeds the
 * admin console's {@code SHOW STATS} (PgBouncer's columns and averages) and the Prometheus endpoint.
 *
 * <p>Depends on nothing else in pgmux, so any package may record into it.
 */
package io.pgmux.stats;
