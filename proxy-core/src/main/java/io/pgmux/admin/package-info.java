/**
 * The admin console: the virtual database {@code pgmux} that operators reach with psql and monitoring tools
 * with the pgbouncer_exporter. A console session speaks the simple query protocol on an authenticated client
 * channel, parses PgBouncer's console commands (and pgmux's own), and answers from
 * {@link io.pgmux.admin.spi.AdminView} or acts through {@link io.pgmux.admin.spi.AdminControl}. Result layouts
 * live in {@code admin.show}; adapters to the running proxy in {@code admin.live}.
 */
package io.pgmux.admin;
