package io.pgmux.session;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query pgmux runs on a server, once a client's transaction cycle is over, to learn the client's settings
 * from PostgreSQL itself rather than from the client's SQL: a SET inside a block that commits lasts, SET LOCAL and
 * a SET rolled back (also by ROLLBACK TO SAVEPOINT) do not, set_config(name, value, false) is a SET, whatever
 * route a value took. What it finds becomes the client's session, replayed on its next servers.
 *
 * <p>It runs as statements of one Query (one implicit transaction):
 * <ol>
 *   <li>only when the cycle may have reset settings the client gave at startup: set_config back to the
 *       startup value wherever the setting is no longer at session level (for the server, RESET returns to its
 *       own default; for the client, to the value it logged in with, as PostgreSQL does);
 *   <li>statement_timeout as the client has it, when it is asked for by name or read in the scan below (then
 *       only at session level): the next statement changes it;
 *   <li>{@code SET LOCAL statement_timeout = 0}: the client's own timeout must not cancel pgmux's question. It
 *       is the one setting the query changes, and it is read before, never after;
 *   <li>one row (name, value in UTF-8 hex, NULL when undefined) per other setting asked about by name, and, when
 *       the cycle may have changed settings the text did not name, one per other setting pg_settings shows at
 *       session level (custom settings do not appear there, hence the names).
 * </ol>
 * The statements before the SET LOCAL run under the client's statement_timeout, as its own statements do; they
 * are short. A cancelled readback fails as any failed readback does (the server is reset completely).
 * Every function is qualified with pg_catalog and every operator is a pg_catalog function, so the client's
 * search_path cannot change what the query means.
 */
final class SettingsReadback {
    /** The setting the readback itself changes (SET LOCAL), so it is read before. */
    private static final String STATEMENT_TIMEOUT = "statement_timeout";
    /**
     * A transaction's own settings: each transaction starts with them from default_transaction_isolation and its
     * siblings, and one can be set only before the transaction's first query. A {@code SET TRANSACTION} outside a
     * block leaves them at session level in pg_settings, but they are no session's setting: never read, never
     * replayed (a set_config of one behind a query fails with 25001).
     */
    static final List<String> TRANSACTION_SCOPED = List.of("transaction_isolation", "transaction_read_only",
            "transaction_deferrable");

    private final Set<String> names;
    private final Map<String, String> restore;
    private final boolean everySessionSetting;

    /**
     * @param names lower-case setting names to read
     * @param restore lower-case name to startup value, for the settings the cycle may have reset
     * @param everySessionSetting whether to read every setting pg_settings shows at session level too
     */
    SettingsReadback(Set<String> names, Map<String, String> restore, boolean everySessionSetting) {
        // In the order given, so that the same question is always the same text.
        Set<String> asked = new LinkedHashSet<>(names);
        asked.removeAll(TRANSACTION_SCOPED);
        this.names = Collections.unmodifiableSet(asked);
        this.restore = Collections.unmodifiableMap(new LinkedHashMap<>(restore));
        this.everySessionSetting = everySessionSetting;
    }

    Set<String> names() {
        return names;
    }

    String sql() {
        StringBuilder sql = new StringBuilder();
        if (!restore.isEmpty()) {
            appendRestore(sql);
            sql.append("; ");
        }
        appendReads(sql);
        return sql.toString();
    }

    /**
     * The first statement of {@link #sql} alone: the startup values set back where a RESET took them away, and
     * nothing else changed, for a transaction block still open (the client's {@code SHOW}, {@code SET LOCAL} and
     * {@code ROLLBACK} follow it there). Its rows say nothing. Empty restore: nothing to send.
     */
    String restoreSql() {
        if (restore.isEmpty()) {
            throw new IllegalStateException("nothing to restore");
        }
        StringBuilder sql = new StringBuilder();
        appendRestore(sql);
        return sql.toString();
    }

    private void appendRestore(StringBuilder sql) {
        sql.append("SELECT pg_catalog.set_config(v.n, v.s, false) FROM (VALUES ");
        String separator = "";
        for (Map.Entry<String, String> each : restore.entrySet()) {
            sql.append(separator).append('(').append(SqlLiteral.of(each.getKey())).append(", ")
                    .append(SqlLiteral.of(each.getValue())).append(')');
            separator = ", ";
        }
        // A custom setting is not in pg_settings; RESET leaves it empty.
        sql.append(") AS v(n, s) LEFT JOIN pg_catalog.pg_settings p"
                + " ON pg_catalog.texteq(pg_catalog.lower(p.name), v.n)"
                + " WHERE CASE WHEN p.name IS NULL THEN pg_catalog.current_setting(v.n, true) IS NULL"
                + " OR pg_catalog.texteq(pg_catalog.current_setting(v.n, true), '')"
                + " ELSE pg_catalog.textne(p.source, 'session') END");
    }

    private void appendReads(StringBuilder sql) {
        if (names.contains(STATEMENT_TIMEOUT)) {
            sql.append("SELECT ").append(SqlLiteral.of(STATEMENT_TIMEOUT)).append(", ")
                    .append(SqlLiteral.asHex("pg_catalog.current_setting(" + SqlLiteral.of(STATEMENT_TIMEOUT) + ")"))
                    .append("; ");
        } else if (everySessionSetting) {
            sql.append("SELECT pg_catalog.lower(p.name), ")
                    .append(SqlLiteral.asHex("pg_catalog.current_setting(p.name)")).append(" FROM pg_catalog.pg_settings p WHERE pg_catalog.texteq(p.name, ")
                    .append(SqlLiteral.of(STATEMENT_TIMEOUT)).append(") AND pg_catalog.texteq(p.source, 'session'); ");
        }
        sql.append("SET LOCAL statement_timeout = 0");
        String union = "; SELECT ";
        if (names.size() > (names.contains(STATEMENT_TIMEOUT) ? 1 : 0)) {
            sql.append("; SELECT v.n, ").append(SqlLiteral.asHex("pg_catalog.current_setting(v.n, true)"))
                    .append(" FROM (VALUES ");
            String separator = "";
            for (String each : names) {
                if (!each.equals(STATEMENT_TIMEOUT)) {
                    sql.append(separator).append('(').append(SqlLiteral.of(each)).append(')');
                    separator = ", ";
                }
            }
            sql.append(") AS v(n)");
            union = " UNION ALL SELECT ";
        }
        if (everySessionSetting) {
            sql.append(union).append("pg_catalog.lower(p.name), ")
                    .append(SqlLiteral.asHex("pg_catalog.current_setting(p.name)"))
                    .append(" FROM pg_catalog.pg_settings p WHERE pg_catalog.texteq(p.source, 'session')")
                    .append(" AND pg_catalog.textne(p.name, ").append(SqlLiteral.of(STATEMENT_TIMEOUT)).append(')');
            for (String each : TRANSACTION_SCOPED) {
                sql.append(" AND pg_catalog.textne(p.name, ").append(SqlLiteral.of(each)).append(')');
            }
        }
    }

    /** Collects the answer: lower-case name to value (null: not defined on the server). */
    static final class Answer {
        private final Map<String, String> values = new HashMap<>();

        /** A DataRow of the query; the restoring statement's rows (one column) say nothing. */
        void row(List<String> columns) {
            if (columns.size() == 2 && columns.get(0) != null) {
                values.put(columns.get(0), SqlLiteral.fromHex(columns.get(1)));
            }
        }

        Map<String, String> values() {
            return values;
        }
    }
}
