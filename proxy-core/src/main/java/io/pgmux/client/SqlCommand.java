package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few SQL commands pgmux must recognise in a client's simple Query, because they act on session state that
 * pgmux keeps for the client: DEALLOCATE and DISCARD ALL. Only a Query holding one such statement is classified;
 * reading stops at the first bytes when the text cannot be one, so ordinary queries cost a byte compare.
 */
record SqlCommand(Kind kind, String argument) {
    enum Kind { DEALLOCATE, DEALLOCATE_ALL, DISCARD_ALL, OTHER }

    static final SqlCommand OTHER = new SqlCommand(Kind.OTHER, null);

    /** Longest statement worth looking at: the commands above are short. */
    private static final int MAX_LENGTH = 256;
    private static final Pattern DEALLOCATE = Pattern.compile(
            "(?is)\\s*deallocate\\s+(?:prepare\\s+)?(\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)\\s*;?\\s*");
    private static final Pattern DISCARD_ALL = Pattern.compile("(?is)\\s*discard\\s+all\\s*;?\\s*");

    /** Classifies a Query frame (tag and length included). */
    static SqlCommand classify(ByteBuf frame) {
        return classify(frame, frame.readerIndex() + 5, frame.writerIndex() - 1);
    }

    /** Classifies the SQL text at {@code [start, end)} of {@code frame}. */
    static SqlCommand classify(ByteBuf frame, int start, int end) {
        int length = end - start;
        if (length <= 0 || length > MAX_LENGTH || !startsWithLetterOf(frame, start, length, 'd')) {
            return OTHER;
        }
        return classify(frame.toString(start, length, StandardCharsets.UTF_8));
    }

    /** Classifies a statement's text (a Parse's query). */
    static SqlCommand classify(String sql) {
        if (sql.length() > MAX_LENGTH || sql.isEmpty()) {
            return OTHER;
        }
        if (DISCARD_ALL.matcher(sql).matches()) {
            return new SqlCommand(Kind.DISCARD_ALL, null);
        }
        Matcher m = DEALLOCATE.matcher(sql);
        if (!m.matches()) {
            return OTHER;
        }
        String name = m.group(1);
        if (name.equalsIgnoreCase("all")) {
            return new SqlCommand(Kind.DEALLOCATE_ALL, null);
        }
        if (name.startsWith("\"")) {
            return new SqlCommand(Kind.DEALLOCATE, name.substring(1, name.length() - 1).replace("\"\"", "\""));
        }
        return new SqlCommand(Kind.DEALLOCATE, name.toLowerCase(Locale.ROOT));
    }

    private static boolean startsWithLetterOf(ByteBuf frame, int start, int length, char letter) {
        for (int i = start; i < start + length; i++) {
            byte b = frame.getByte(i);
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                continue;
            }
            return b == letter || b == Character.toUpperCase(letter);
        }
        return false;
    }
}
