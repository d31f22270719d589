/**
 * Configuration from environment variables, for running pgmux as a container beside one database: the
 * {@code PGMUX_*} variables, a libpq connection URI, client logins, and the YAML file they become.
 */
package io.pgmux.cli.env;
