/**
 * What the admin console needs from the rest of pgmux, and nothing more: {@link io.pgmux.admin.spi.AdminView} to
 * read (one immutable row per pool, client, server, database ...) and {@link io.pgmux.admin.spi.AdminControl} to
 * steer (PAUSE, KILL, RELOAD ...). The console depends only on these; the runtime implements them.
 */
package io.pgmux.admin.spi;
