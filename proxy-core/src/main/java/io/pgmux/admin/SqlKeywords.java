package io.pgmux.admin;

import java.util.Set;

/**
 * PostgreSQL 15's key words that matter to a SET's value (src/include/parser/kwlist.h; {@code pg_get_keywords()},
 * catcode R, C and T): a reserved one is no value unless quoted, and quote_identifier puts every one but the
 * unreserved in double quotes.
 */
final class SqlKeywords {
    /** Reserved key words (catcode R). */
    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create",
            "current_catalog", "current_date", "current_role", "current_time", "current_timestamp", "current_user",
            "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
            "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "lateral",
            "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
            "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "table",
            "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
            "window", "with");
    /** Key words that may not name a function or type (C) or may not name a column (T): quoted like reserved ones. */
    private static final Set<String> RESTRICTED = Set.of("authorization", "between", "bigint", "binary", "bit",
            "boolean", "char", "character", "coalesce", "collation", "concurrently", "cross", "current_schema", "dec",
            "decimal", "exists", "extract", "float", "freeze", "full", "greatest", "grouping", "ilike", "inner",
            "inout", "int", "integer", "interval", "is", "isnull", "join", "least", "left", "like", "national",
            "natural", "nchar", "none", "normalize", "notnull", "nullif", "numeric", "out", "outer", "overlaps",
            "overlay", "position", "precision", "real", "right", "row", "setof", "similar", "smallint", "substring",
            "tablesample", "time", "timestamp", "treat", "trim", "values", "varchar", "verbose", "xmlattributes",
            "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
            "xmlserialize", "xmltable");

    private SqlKeywords() {
    }

    /** Whether a folded name is a reserved key word. */
    static boolean isReserved(String name) {
        return RESERVED.contains(name);
    }

    /** Whether quote_identifier quotes a lower-case name for being a key word. */
    static boolean needsQuotes(String name) {
        return RESERVED.contains(name) || RESTRICTED.contains(name);
    }
}
