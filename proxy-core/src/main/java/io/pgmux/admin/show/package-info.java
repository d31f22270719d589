/**
 * The result sets of the console's SHOW commands: for each, its columns (PgBouncer 1.25's names, order and types
 * where PgBouncer has the command, pgmux's own columns only after them) and how a row of the
 * {@link io.pgmux.admin.spi.AdminView} fills them.
 */
package io.pgmux.admin.show;
