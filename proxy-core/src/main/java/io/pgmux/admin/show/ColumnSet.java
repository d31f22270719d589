package io.pgmux.admin.show;

/**
 * Whether a result carries pgmux's own columns after PgBouncer's. Some consumers of PgBouncer's console refuse
 * columns they do not know (jbub/pgbouncer_exporter fails on an unexpected column), so a session may ask for
 * PgBouncer's columns alone.
 */
public enum ColumnSet {
    /** PgBouncer's columns only. */
    PGBOUNCER,
    /** PgBouncer's columns, then pgmux's. */
    EXTENDED;

    /** The leading {@code pgbouncerCount} items of {@code all} (columns or a row's cells), or all of them. */
    <T> java.util.List<T> pick(java.util.List<T> all, int pgbouncerCount) {
        return this == PGBOUNCER ? all.subList(0, pgbouncerCount) : all;
    }
}
