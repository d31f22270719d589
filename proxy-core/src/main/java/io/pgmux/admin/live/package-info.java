/**
 * The console's view of the running proxy as it is today: configuration, pool snapshots and the budget plan.
 * What the proxy does not track yet (per-connection lists, statistics, pause state) shows as PgBouncer shows an
 * idle pooler: no rows, or zeros.
 */
package io.pgmux.admin.live;
