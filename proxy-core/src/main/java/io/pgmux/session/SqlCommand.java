package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few SQL commands pgmux must recognise in a client's simple Query, because they act on session state that
 * pgmux keeps for the client: DEALLOCATE and DISCARD ALL. Every statement of a Query is looked at; reading stops
 * at the first bytes when the text is one statement that cannot be one of these, so ordinary queries cost a byte
 * compare and a search for ';'. Statements that may be one are read by {@link SqlLexer}, as PostgreSQL reads them
 * (comments anywhere, quoted names, empty statements).
 *
 * <p>In a Query of several statements, DEALLOCATE ALL or DISCARD ALL anywhere is the answer (each empties the
 * session's prepared statements whatever else runs); a DEALLOCATE of one name is reported only when it is the
 * whole Query, since the caller answers it in the Query's place.
 */
record SqlCommand(Kind kind, String argument) {
    enum Kind { DEALLOCATE, DEALLOCATE_ALL, DISCARD_ALL, OTHER }

    static final SqlCommand OTHER = new SqlCommand(Kind.OTHER, null);

    private static final long COMMANDS = SqlWord.bits(SqlWord.DEALLOCATE, SqlWord.DISCARD);

    /** Classifies a Query frame (tag and length included). */
    static SqlCommand classify(ByteBuf frame) {
        return classify(frame, frame.readerIndex() + 5, frame.writerIndex() - 1);
    }

    /** Classifies the SQL text at {@code [start, end)} of {@code frame}. */
    static SqlCommand classify(ByteBuf frame, int start, int end) {
        if (end - start <= 0) {
            return OTHER;
        }
        if (isOneStatement(frame, start, end)) {
            byte first = firstNonSpace(frame, start, end);
            if (first != '/' && first != '-' && first != 'd' && first != 'D') {
                return OTHER;
            }
        }
        // A statement that begins with a D, comments first, or several statements: read as PostgreSQL reads them.
        if ((new SqlLexer().lex(frame, start, end, true, null).firstWords() & COMMANDS) == 0) {
            return OTHER;
        }
        List<List<SqlToken>> statements = new ArrayList<>(2);
        for (List<SqlToken> each : SqlStatements.tokens(frame, start, end, true)) {
            if (!each.isEmpty()) {
                statements.add(each); // ";;" holds an empty statement, which PostgreSQL skips
            }
        }
        if (statements.size() == 1) {
            return classify(statements.get(0));
        }
        SqlCommand result = OTHER;
        for (List<SqlToken> each : statements) {
            SqlCommand command = classify(each);
            if (command.kind() == Kind.DEALLOCATE_ALL || command.kind() == Kind.DISCARD_ALL) {
                result = command;
            }
        }
        return result;
    }

    /**
     * One statement by its tokens (comments gone, unquoted words folded to lower case as PostgreSQL folds them:
     * ASCII letters only). PostgreSQL's grammar: DEALLOCATE [PREPARE] { name | ALL }, DISCARD ALL.
     */
    private static SqlCommand classify(List<SqlToken> tokens) {
        if (tokens.size() == 2 && tokens.get(0).isWord("discard") && tokens.get(1).isWord("all")) {
            return new SqlCommand(Kind.DISCARD_ALL, null);
        }
        if (!tokens.get(0).isWord("deallocate")) {
            return OTHER;
        }
        int at = tokens.size() == 3 && tokens.get(1).isWord("prepare") ? 2 : 1;
        if (tokens.size() != at + 1) {
            return OTHER;
        }
        SqlToken name = tokens.get(at);
        if (name.kind() == SqlLexer.Token.WORD) {
            if (name.text().equals("all")) {
                return new SqlCommand(Kind.DEALLOCATE_ALL, null);
            }
            char first = name.text().charAt(0);
            if (first != '_' && first < 0x80 && !Character.isLetter(first)) {
                return OTHER; // a number: a syntax error in PostgreSQL
            }
        } else if (name.kind() != SqlLexer.Token.QUOTED_IDENTIFIER) {
            return OTHER;
        }
        // Token text holds each byte as one ISO-8859-1 character: back to the UTF-8 the client sent.
        return new SqlCommand(Kind.DEALLOCATE,
                new String(name.text().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
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
