package io.pgmux.session;

/**
 * One token of SQL text, by its meaning: a word in lower case (unquoted identifiers and keywords fold to lower
 * case, as the server folds them), a quoted identifier or a string constant by its content (quotes removed,
 * escapes resolved), a dollar-quoted string by its body, other tokens as written. Bytes from 0x80 up stay as
 * the ISO-8859-1 characters of the same code, so the text of a token is always its bytes.
 */
record SqlToken(SqlLexer.Token kind, String text) {
    /** Builds a token from its source text, as {@link SqlLexer} delimited it. */
    static SqlToken of(SqlLexer.Token kind, String source) {
        switch (kind) {
            case WORD:
                return new SqlToken(kind, lowerAscii(source));
            case QUOTED_IDENTIFIER:
                return new SqlToken(kind, unquote(source, '"'));
            case STRING:
                return new SqlToken(kind, unquote(withoutPrefix(source), '\''));
            case ESCAPE_STRING:
                return new SqlToken(kind, unescape(withoutPrefix(source)));
            case DOLLAR_STRING:
                return new SqlToken(kind, dollarBody(source));
            default:
                return new SqlToken(kind, source);
        }
    }

    boolean isWord(String word) {
        return kind == SqlLexer.Token.WORD && text.equals(word);
    }

    boolean isSymbol(char symbol) {
        return kind == SqlLexer.Token.SYMBOL && text.length() == 1 && text.charAt(0) == symbol;
    }

    boolean isString() {
        return kind == SqlLexer.Token.STRING || kind == SqlLexer.Token.ESCAPE_STRING
                || kind == SqlLexer.Token.DOLLAR_STRING;
    }

    /** Folds only A-Z, as the server does for identifiers in multi-byte encodings. */
    private static String lowerAscii(String source) {
        StringBuilder result = new StringBuilder(source.length());
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            result.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return result.toString();
    }

    private static String withoutPrefix(String source) {
        int quote = source.indexOf('\'');
        return quote < 0 ? source : source.substring(quote);
    }

    /** Removes the surrounding quotes and undoubles the inner ones; an unterminated literal has no closing quote. */
    private static String unquote(String source, char quote) {
        boolean closed = source.length() >= 2 && source.charAt(source.length() - 1) == quote;
        String body = source.substring(1, closed ? source.length() - 1 : source.length());
        String doubled = String.valueOf(quote) + quote;
        return body.replace(doubled, String.valueOf(quote));
    }

    /** The content of an escape string: {@code \\x} is {@code x} for the characters that matter here. */
    private static String unescape(String source) {
        StringBuilder result = new StringBuilder(source.length());
        boolean closed = source.length() >= 2 && source.charAt(source.length() - 1) == '\'';
        int end = closed ? source.length() - 1 : source.length();
        for (int i = 1; i < end; i++) {
            char c = source.charAt(i);
            if (c == '\\' && i + 1 < end) {
                char next = source.charAt(++i);
                switch (next) {
                    case 'n':
                        result.append('\n');
                        break;
                    case 't':
                        result.append('\t');
                        break;
                    case 'r':
                        result.append('\r');
                        break;
                    case 'b':
                        result.append('\b');
                        break;
                    case 'f':
                        result.append('\f');
                        break;
                    default:
                        // Octal, hex and Unicode escapes are left as written: no setting name needs them.
                        if (Character.isLetterOrDigit(next)) {
                            result.append('\\');
                        }
                        result.append(next);
                }
            } else if (c == '\'' && i + 1 < end && source.charAt(i + 1) == '\'') {
                result.append('\'');
                i++;
            } else {
                result.append(c);
            }
        }
        return result.toString();
    }

    private static String dollarBody(String source) {
        int open = source.indexOf('$', 1);
        if (open < 0) {
            return "";
        }
        int close = source.length() - (open + 1);
        if (source.length() >= 2 * (open + 1) && source.endsWith(source.substring(0, open + 1))) {
            return source.substring(open + 1, close);
        }
        return source.substring(open + 1);
    }
}
