package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few SQL commands pgmux must recognise in a client's simple Query, because they act on session state that
 * pgmux keeps for the client: DEALLOCATE and DISCARD ALL. Every statement of a Query is looked at; reading stops
 * at the first bytes when the text is one statement that cannot be one of these, so ordinary queries cost a byte
 * compare and a search for ';'.
 *
 * <p>In a Query of several statements, DEALLOCATE ALL or DISCARD ALL anywhere is the answer (each empties the
 * session's prepared statements whatever else runs); a DEALLOCATE of one name is reported only when it is the
 * whole Query, since the caller answers it by rewriting the Query.
 */
record SqlCommand(Kind kind, String argument) {
    enum Kind { DEALLOCATE, DEALLOCATE_ALL, DISCARD_ALL, OTHER }

    static final SqlCommand OTHER = new SqlCommand(Kind.OTHER, null);

    /** Longest statement worth looking at: the commands above are short. */
    private static final int MAX_LENGTH = 256;
    private static final long COMMANDS = SqlWord.bits(SqlWord.DEALLOCATE, SqlWord.DISCARD);
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
        if (length <= 0) {
            return OTHER;
        }
        if (isOneStatement(frame, start, end)) {
            byte first = firstNonSpace(frame, start, end);
            if (first != '/' && first != '-') {
                return first == 'd' || first == 'D' ? classifyOne(frame, start, end) : OTHER;
            }
        }
        // Several statements, or comments first: find where the statements are.
        if ((new SqlLexer().lex(frame, start, end, true, null).firstWords() & COMMANDS) == 0) {
            return OTHER;
        }
        List<SqlStatements.Range> statements = SqlStatements.split(frame, start, end, true);
        if (statements.size() == 1) {
            return classifyOne(frame, statements.get(0).start(), statements.get(0).end());
        }
        SqlCommand result = OTHER;
        for (SqlStatements.Range each : statements) {
            SqlCommand command = classifyOne(frame, each.start(), each.end());
            if (command.kind() == Kind.DEALLOCATE_ALL || command.kind() == Kind.DISCARD_ALL) {
                result = command;
            }
        }
        return result;
    }

    private static SqlCommand classifyOne(ByteBuf frame, int start, int end) {
        int length = end - start;
        return length > MAX_LENGTH ? OTHER : classify(frame.toString(start, length, StandardCharsets.UTF_8));
    }

    /** Classifies one statement's text (a Parse's query). */
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

    /** No ';' followed by anything but white space: one statement, unless a literal or comment hides one. */
    private static boolean isOneStatement(ByteBuf frame, int start, int end) {
        int semicolon = frame.indexOf(start, end, (byte) ';');
        if (semicolon < 0) {
            return true;
        }
        for (int i = semicolon + 1; i < end; i++) {
            byte b = frame.getByte(i);
            if (b != ';' && b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
                return false;
            }
        }
        return true;
    }

    private static byte firstNonSpace(ByteBuf frame, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = frame.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
                return b;
            }
        }
        return 0;
    }
}
