package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.fuzz.Corpus;
import io.pgmux.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the SQL statement splitter (SqlLexer through SqlStatements.split) two ways. Texts built from tokens whose
 * boundaries are known (words, symbols, parameters, '...' and E'...' strings, dollar-quoted strings, quoted
 * identifiers, nested comments, parenthesised groups holding semicolons), joined into statements by semicolons,
 * white space and comments, must split into exactly the statements they were built from, wherever the text sits
 * in its buffer. Any bytes at all (mutated seeds of fuzz/sql, raw bytes) must split without an exception into
 * ordered, non-empty, non-overlapping ranges inside the text, the same count the lexer reports without a sink,
 * leaving the buffer's indexes alone.
 */
@Tag("fuzz")
class SqlSplitterFuzzTest {
    /** One piece of a generated text: its bytes (as ISO-8859-1 chars) and whether it is a comment. */
    private record Piece(String text, boolean comment) {
    }

    private record Built(String text, List<SqlStatements.Range> expected, boolean standardConformingStrings) {
    }

    @Property
    void builtTextsSplitIntoTheStatementsTheyWereBuiltFrom(@ForAll("builtTexts") Built built,
                                                           @ForAll("junk") String before, @ForAll("junk") String after) {
        ByteBuf buf = Unpooled.wrappedBuffer((before + built.text() + after).getBytes(StandardCharsets.ISO_8859_1));
        int start = before.length();
        int end = start + built.text().length();
        List<SqlStatements.Range> actual = SqlStatements.split(buf, start, end, built.standardConformingStrings());
        List<SqlStatements.Range> expected = new ArrayList<>();
        built.expected().forEach(r -> expected.add(new SqlStatements.Range(r.start() + start, r.end() + start)));
        assertEquals(expected, actual, () -> "text: " + built.text().replace("\n", "\\n"));
        Statistics.label("statements").collect(Math.min(expected.size(), 4));
    }

    @Property
    void anyBytesSplitIntoOrderedRangesWithoutAnException(@ForAll("anyTexts") byte[] text,
                                                          @ForAll boolean standardConformingStrings) {
        ByteBuf buf = Unpooled.wrappedBuffer(text);
        List<SqlStatements.Range> ranges;
        try {
            ranges = SqlStatements.split(buf, 0, text.length, standardConformingStrings);
        } catch (RuntimeException e) {
            throw new AssertionError("split threw " + e + " for " + new String(text, StandardCharsets.ISO_8859_1), e);
        }
        int last = 0;
        for (SqlStatements.Range each : ranges) {
            assertTrue(each.start() >= last && each.start() < each.end() && each.end() <= text.length,
                    () -> "ranges " + ranges + " of " + text.length + " bytes");
            last = each.end();
        }
        assertEquals(ranges.size(), new SqlLexer().lex(buf, 0, text.length, standardConformingStrings, null)
                .statements(), "statements counted without a sink");
        assertEquals(0, buf.readerIndex());
        assertEquals(text.length, buf.writerIndex());
    }

    @Example
    void everySeedSplitsWithEitherStringSetting() {
        for (byte[] seed : Corpus.seeds("sql")) {
            anyBytesSplitIntoOrderedRangesWithoutAnException(seed, true);
            anyBytesSplitIntoOrderedRangesWithoutAnException(seed, false);
        }
    }

    // ---- generators ------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> anyTexts() {
        Arbitrary<byte[]> built = builtTexts().map(b -> b.text().getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.oneOf(Mutations.of(Corpus.seeds("sql"), 4, 80),
                built.flatMap(b -> Mutations.of(List.of(b), 3, 80)));
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(6);
    }

    @Provide
    Arbitrary<Built> builtTexts() {
        return Arbitraries.of(true, false).flatMap(scs -> Combinators.combine(
                statement(scs).list().ofMinSize(1).ofMaxSize(4),
                separator().list().ofMinSize(4).ofMaxSize(4),
                filler(), filler())
                .as((statements, separators, lead, tail) -> build(statements, separators, lead, tail, scs)));
    }

    private static Built build(List<List<Piece>> statements, List<String> separators, String lead, String tail,
                               boolean scs) {
        StringBuilder text = new StringBuilder(lead);
        List<SqlStatements.Range> expected = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            if (i > 0) {
                text.append(separators.get(i));
            }
            int first = -1;
            int lastEnd = -1;
            List<Piece> pieces = statements.get(i);
            for (int p = 0; p < pieces.size(); p++) {
                if (p > 0) {
                    text.append(' ');
                }
                int at = text.length();
                text.append(pieces.get(p).text());
                if (!pieces.get(p).comment()) {
                    first = first < 0 ? at : first;
                    lastEnd = text.length();
                }
            }
            expected.add(new SqlStatements.Range(first, lastEnd));
        }
        text.append(tail);
        return new Built(text.toString(), expected, scs);
    }

    /** Between statements: a semicolon, maybe empty statements, white space and comments. */
    private static Arbitrary<String> separator() {
        return Arbitraries.of(";", " ; ", ";\n", ";;", " ;\t; ", "; -- note ; \n", ";/* ; */", "\n;\r\n");
    }

    /** Before the first statement and after the last: nothing a statement is made of. */
    private static Arbitrary<String> filler() {
        return Arbitraries.of("", " ", "\n\t", "-- lead ; comment\n", "/* a /* nested ; */ comment */ ", ";", " ; ");
    }

    /** A statement: tokens separated by single spaces, at least one of them not a comment, comment-free ends. */
    private static Arbitrary<List<Piece>> statement(boolean scs) {
        Arbitrary<Piece> token = token(scs);
        return Combinators.combine(token, token.list().ofMaxSize(5), word())
                .as((head, middle, last) -> {
                    List<Piece> all = new ArrayList<>();
                    all.add(head.comment() ? new Piece("x", false) : head);
                    all.addAll(middle);
                    all.add(last);
                    return all;
                });
    }

    private static Arbitrary<Piece> word() {
        return Arbitraries.of("select", "x", "foo_bar", "t1", "42", "3.5", "\u00c3\u00bcber", "a$b", "_")
                .map(w -> new Piece(w, false));
    }

    private static Arbitrary<Piece> token(boolean scs) {
        Arbitrary<String> body = Arbitraries.strings().withChars("ab ;'\"$()-/*\\\nE").ofMaxLength(10);
        Arbitrary<Piece> symbol = Arbitraries.of(",", ".", "+", "*", "=", "<", ">", "[", "]", ":", "!", "~", "|",
                "^", "@", "#", "%").map(s -> new Piece(s, false));
        Arbitrary<Piece> parameter = Arbitraries.integers().between(1, 99).map(n -> new Piece("$" + n, false));
        Arbitrary<Piece> plainString = body.map(b -> new Piece("'" + b.replace("\\", "").replace("'", "''") + "'",
                false));
        Arbitrary<Piece> escapeString = body.map(b -> new Piece("E'" + b.replace("\\", "\\\\").replace("'", "\\'")
                + "'", false));
        Arbitrary<Piece> dollarString = Combinators.combine(Arbitraries.of("", "a", "fn_1"), body)
                .as((tag, b) -> new Piece("$" + tag + "$" + b.replace("$", "x") + "$" + tag + "$", false));
        Arbitrary<Piece> quotedIdentifier = body.map(b -> new Piece("\"" + b.replace("\"", "\"\"") + "\"", false));
        Arbitrary<Piece> lineComment = body.map(b -> new Piece("--" + b.replace("\n", " ") + "\n", true));
        Arbitrary<Piece> blockComment = body.map(b -> new Piece("/* " + b.replace("*", "+").replace("/", "|")
                + " /* nested ; */ */", true));
        Arbitrary<Piece> group = Combinators.combine(word(), word()).as((a, b) -> new Piece("(" + a.text() + "; "
                + b.text() + ")", false));
        return Arbitraries.oneOf(word(), symbol, parameter, scs ? plainString : escapeString, escapeString,
                dollarString, quotedIdentifier, lineComment, blockComment, group);
    }
}
