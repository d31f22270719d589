package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the text of one Query message into its statements at the semicolons outside string constants (quoted,
 * {@code E'...'}, {@code U&'...'}, dollar-quoted), quoted identifiers ({@link QuotedText}) and comments, as
 * PostgreSQL's lexer does (its documentation, "Lexical Structure"). Comments become a
 * space; statements come back trimmed, empty ones dropped, so a query of only semicolons and comments has none.
 */
final class StatementSplitter {
    private StatementSplitter() {
    }

    /** @throws AdminException (42601) for a quoted string, identifier or comment that never ends */
    static List<String> split(String query) {
        List<String> statements = new ArrayList<>(1);
        StringBuilder current = new StringBuilder(query.length());
        int i = 0;
        int n = query.length();
        while (i < n) {
            char c = query.charAt(i);
            int literalEnd = QuotedText.stringEnd(query, i);
            if (literalEnd >= 0) {
                current.append(query, i, literalEnd);
                i = literalEnd;
            } else if (c == '"') {
                int end = QuotedText.identifierEnd(query, i);
                current.append(query, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && query.charAt(i + 1) == '-') {
                int newline = query.indexOf('\n', i);
                i = newline < 0 ? n : newline + 1;
                current.append(' ');
            } else if (c == '/' && i + 1 < n && query.charAt(i + 1) == '*') {
                i = commentEnd(query, i);
                current.append(' ');
            } else if (c == ';') {
                add(statements, current);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().trim();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }

    /** The index after the end of the block comment opening at {@code start}; block comments nest. */
    private static int commentEnd(String query, int start) {
        int depth = 0;
        int i = start;
        while (i + 1 < query.length()) {
            char c = query.charAt(i);
            char next = query.charAt(i + 1);
            if (c == '/' && next == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && next == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw QuotedText.unterminated("/* comment", query, start);
    }
}
