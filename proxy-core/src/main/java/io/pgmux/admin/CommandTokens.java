package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of one console statement: words, quoted identifiers ("My DB"), string constants ('10s', E'a\\tb',
 * $$x$$: {@link QuotedText}), {@code =}
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
            } else if (c == '"') {
                int end = QuotedText.identifierEnd(statement, i);
                tokens.add(new Token(Kind.IDENTIFIER, QuotedText.identifierName(statement.substring(i, end))));
                i = end;
            } else {
                int end = QuotedText.stringEnd(statement, i);
                if (end >= 0) {
                    tokens.add(new Token(Kind.STRING, QuotedText.stringValue(statement.substring(i, end))));
                } else {
                    end = i;
                    while (end < n && !endsWord(statement.charAt(end))) {
                        end++;
                    }
                    tokens.add(new Token(Kind.WORD, statement.substring(i, end)));
                }
                i = end;
            }
        }
        return tokens;
    }

    private static boolean endsWord(char c) {
        return Character.isWhitespace(c) || c == '=' || c == ',' || c == '"' || c == '\'';
    }
}
