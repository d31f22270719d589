package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of one console statement: words, quoted identifiers ("My DB"), string constants ('10s', E'a\\tb',
 * $$x$$: {@link StringLiteral}), {@code =}
 * and {@code ,}. A word runs up to white space, a quote, {@code =} or {@code ,}, so names such as
 * {@code app-eu.1} and values such as {@code 10s} need no quotes. Keywords are compared ignoring case; names keep
 * theirs, as PgBouncer's console keeps them.
 */
final class CommandTokens {
    /** What a token is. */
    enum Kind { WORD, IDENTIFIER, STRING, EQUALS, COMMA }

    /** One token; {@code text} is unquoted for identifiers and strings. */
    record Token(Kind kind, String text) {
        boolean is(String keyword) {
            return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
        }

        /** A word, an identifier or a string: something that can be a name or a value. */
        boolean isValue() {
            return kind == Kind.WORD || kind == Kind.IDENTIFIER || kind == Kind.STRING;
        }

        String lowerCase() {
            return text.toLowerCase(Locale.ROOT);
        }

        /** As the user wrote it, for messages. */
        String shown() {
            switch (kind) {
                case IDENTIFIER:
                    return '"' + text.replace("\"", "\"\"") + '"';
                case STRING:
                    return '\'' + text.replace("'", "''") + '\'';
                default:
                    return text;
            }
        }
    }

    private CommandTokens() {
    }

    /** @throws AdminException (42601) for an unterminated quote */
    static List<Token> of(String statement) {
        List<Token> tokens = new ArrayList<>(4);
        int i = 0;
        int n = statement.length();
        while (i < n) {
            char c = statement.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '=') {
                tokens.add(new Token(Kind.EQUALS, "="));
                i++;
            } else if (c == ',') {
                tokens.add(new Token(Kind.COMMA, ","));
                i++;
            } else if (StringLiteral.end(statement, i) >= 0) {
                int end = StringLiteral.end(statement, i);
                tokens.add(new Token(Kind.STRING, StringLiteral.value(statement.substring(i, end))));
                i = end;
            } else if (c == '"') {
                StringBuilder text = new StringBuilder();
                i = quotedIdentifier(statement, i, text);
                tokens.add(new Token(Kind.IDENTIFIER, text.toString()));
            } else {
                int start = i;
                while (i < n && !endsWord(statement.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(Kind.WORD, statement.substring(start, i)));
            }
        }
        return tokens;
    }

    private static boolean endsWord(char c) {
        return Character.isWhitespace(c) || c == '=' || c == ',' || c == '"' || c == '\'';
    }

    /** Appends the quoted identifier's name to {@code into}; returns the index after the closing quote. */
    private static int quotedIdentifier(String statement, int start, StringBuilder into) {
        int i = start + 1;
        while (i < statement.length()) {
            char c = statement.charAt(i);
            if (c == '"') {
                if (i + 1 < statement.length() && statement.charAt(i + 1) == '"') {
                    into.append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            into.append(c);
            i++;
        }
        throw new AdminException(SqlState.SYNTAX_ERROR, "unterminated quoted identifier at or near \""
                + statement.substring(start) + "\"");
    }
}
