package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements of SQL text, as the server's lexer delimits them ({@link SqlLexer}): the statements of a simple
 * Query, which PostgreSQL runs one after the other (PostgreSQL docs, "Multiple Statements in a Simple Query").
 * For the closer look pgmux takes at the rare texts that may act on session state; the forward path itself only
 * runs {@link SqlLexer} without a sink.
 */
final class SqlStatements {
    private SqlStatements() {
    }

    /** One statement: {@code [start, end)} of the lexed buffer, from its first token to the end of its last. */
    record Range(int start, int end) {
    }

    /**
     * The statements of {@code buf} at {@code [start, end)}, in order. A statement's range holds no leading or
     * trailing white space or comments, nor its {@code ;}; empty statements are not listed. Reads the bytes
     * without moving the buffer's indexes.
     *
     * @param standardConformingStrings the session's standard_conforming_strings
     */
    static List<Range> split(ByteBuf buf, int start, int end, boolean standardConformingStrings) {
        List<Range> result = new ArrayList<>(2);
        new SqlLexer().lex(buf, start, end, standardConformingStrings, new SqlLexer.Sink() {
            @Override
            public void token(SqlLexer.Token kind, int from, int to) {
            }

            @Override
            public void statement(int from, int to) {
                result.add(new Range(from, to));
            }
        });
        return result;
    }

    /** The statements of {@code buf} at {@code [start, end)}, each as its tokens ({@link SqlToken}). */
    static List<List<SqlToken>> tokens(ByteBuf buf, int start, int end, boolean standardConformingStrings) {
        // ISO-8859-1 maps each byte to one char, so positions in the buffer are positions in the text.
        String text = buf.toString(start, end - start, StandardCharsets.ISO_8859_1);
        List<List<SqlToken>> result = new ArrayList<>(2);
        List<SqlToken> current = new ArrayList<>();
        new SqlLexer().lex(buf, start, end, standardConformingStrings, new SqlLexer.Sink() {
            @Override
            public void token(SqlLexer.Token kind, int from, int to) {
                current.add(SqlToken.of(kind, text.substring(from - start, to - start)));
            }

            @Override
            public void statement(int from, int to) {
                result.add(List.copyOf(current));
                current.clear();
            }
        });
        return result;
    }
}
