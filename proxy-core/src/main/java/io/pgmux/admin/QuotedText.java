package io.pgmux.admin;

import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;

/**
 * The quoted forms of PostgreSQL's lexical structure (its documentation, "Lexical Structure") as the console reads
 * them: quoted identifiers ({@code "My DB"}, a doubled quote is one) and string constants: {@code '...'} (a doubled quote is one), {@code E'...'} with backslash escapes,
 * {@code U&'...'} with Unicode escapes ({@code \XXXX}, {@code \+XXXXXX}; no {@code UESCAPE}), and dollar-quoted
 * {@code $tag$...$tag$}, whose body is taken as it is. A prefix or a dollar quote starts a constant only where an
 * identifier does not go on ({@code name$x$} is one identifier, as for the server).
 */
final class QuotedText {
    private static final int CONTEXT = 20;

    private QuotedText() {
    }

    /**
     * The index after the string constant that starts at {@code start}, or -1 when none starts there.
     *
     * @throws AdminException (42601) for a constant that never ends
     */
    static int stringEnd(String text, int start) {
        if (start > 0 && isIdentifierPart(text.charAt(start - 1))) {
            return -1;
        }
        char c = text.charAt(start);
        if (c == '\'') {
            return quotedEnd(text, start, start + 1, false);
        }
        if ((c == 'E' || c == 'e') && at(text, start + 1, '\'')) {
            return quotedEnd(text, start, start + 2, true);
        }
        if ((c == 'U' || c == 'u') && at(text, start + 1, '&') && at(text, start + 2, '\'')) {
            return quotedEnd(text, start, start + 3, false);
        }
        if (c == '$') {
            int tagEnd = dollarTagEnd(text, start);
            if (tagEnd < 0) {
                return -1;
            }
            String tag = text.substring(start, tagEnd);
            int close = text.indexOf(tag, tagEnd);
            if (close < 0) {
                throw unterminated("dollar-quoted string", text, start);
            }
            return close + tag.length();
        }
        return -1;
    }

    /** The value of the constant {@code literal}, as {@link #stringEnd} delimited it. */
    static String stringValue(String literal) {
        char c = literal.charAt(0);
        if (c == '$') {
            int tagEnd = literal.indexOf('$', 1) + 1;
            return literal.substring(tagEnd, literal.length() - tagEnd);
        }
        if (c == '\'') {
            return literal.substring(1, literal.length() - 1).replace("''", "'");
        }
        if (c == 'E' || c == 'e') {
            return unescape(literal.substring(2, literal.length() - 1));
        }
        return unicode(literal.substring(3, literal.length() - 1).replace("''", "'"));
    }

    /**
     * The index after the quoted identifier opening at {@code start} (a {@code "}).
     *
     * @throws AdminException (42601) for one that never ends
     */
    static int identifierEnd(String text, int start) {
        int i = start + 1;
        while (i < text.length()) {
            if (text.charAt(i) == '"') {
                if (at(text, i + 1, '"')) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw unterminated("quoted identifier", text, start);
    }

    /** The name the quoted identifier {@code quoted} stands for, as {@link #identifierEnd} delimited it. */
    static String identifierName(String quoted) {
        return quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
    }

    /** 42601 for a quoted text or comment opening at {@code start} that never ends, quoting its beginning. */
    static AdminException unterminated(String what, String text, int start) {
        String near = text.substring(start, Math.min(text.length(), start + CONTEXT));
        return new AdminException(SqlState.SYNTAX_ERROR, "unterminated " + what + " at or near \"" + near + "\"");
    }

    private static boolean at(String text, int index, char c) {
        return index < text.length() && text.charAt(index) == c;
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The index after the closing quote; {@code backslashes}: a backslash escapes the character after it. */
    private static int quotedEnd(String text, int start, int from, boolean backslashes) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (at(text, i + 1, '\'')) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw unterminated("quoted string", text, start);
    }

    /** The index after {@code $tag$} opening at {@code start}, or -1 ({@code $1} is a parameter, not a quote). */
    private static int dollarTagEnd(String text, int start) {
        int i = start + 1;
        if (i < text.length() && Character.isDigit(text.charAt(i))) {
            return -1;
        }
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        return at(text, i, '$') ? i + 1 : -1;
    }

    /**
     * Backslash escapes of an E'...' body: b f n r t, up to three octal digits, x and up to two hex digits, u and
     * four or U and eight hex digits of a code point; a backslash before anything else is that character.
     */
    private static String unescape(String body) {
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c == '\'') {
                i++; // '' is one quote
                out.append('\'');
                continue;
            }
            if (c != '\\' || i >= body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(i++);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'x' -> {
                    if (i < body.length() && Character.digit(body.charAt(i), 16) >= 0) {
                        i = codePoint(body, i, 2, 16, 1, out);
                    } else {
                        out.append('x'); // \x with no hex digit is the letter, as for the server
                    }
                }
                case 'u' -> i = codePoint(body, i, 4, 16, 4, out);
                case 'U' -> i = codePoint(body, i, 8, 16, 8, out);
                default -> {
                    if (e >= '0' && e <= '7') {
                        i = codePoint(body, i - 1, 3, 8, 1, out);
                    } else {
                        out.append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Reads {@code min} to {@code max} digits of {@code radix} at {@code from} as a code point; returns the index after. */
    private static int codePoint(String body, int from, int max, int radix, int min, StringBuilder out) {
        int i = from;
        while (i < body.length() && i - from < max && Character.digit(body.charAt(i), radix) >= 0) {
            i++;
        }
        if (i - from < min) {
            throw new AdminException(new PgError(PgError.ERROR, SqlState.INVALID_ESCAPE_SEQUENCE,
                    "invalid Unicode escape", null, "Unicode escapes must be \\uXXXX or \\UXXXXXXXX."));
        }
        out.appendCodePoint(Integer.parseInt(body, from, i, radix));
        return i;
    }

    /** The escapes of a U&'...' body: \XXXX and \+XXXXXX code points, \\ a backslash. */
    private static String unicode(String body) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i++);
            if (c != '\\') {
                out.append(c);
            } else if (at(body, i, '\\')) {
                out.append('\\');
                i++;
            } else if (at(body, i, '+')) {
                i = exactly(body, i + 1, 6, out);
            } else {
                i = exactly(body, i, 4, out);
            }
        }
        return out.toString();
    }

    private static int exactly(String body, int from, int digits, StringBuilder out) {
        if (from + digits > body.length()) {
            throw invalidUnicode();
        }
        for (int i = from; i < from + digits; i++) {
            if (Character.digit(body.charAt(i), 16) < 0) {
                throw invalidUnicode();
            }
        }
        out.appendCodePoint(Integer.parseInt(body, from, from + digits, 16));
        return from + digits;
    }

    private static AdminException invalidUnicode() {
        return new AdminException(new PgError(PgError.ERROR, SqlState.SYNTAX_ERROR, "invalid Unicode escape", null,
                "Unicode escapes must be \\XXXX or \\+XXXXXX."));
    }
}
