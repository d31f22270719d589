package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.admin.CommandTokens.Kind;
import io.pgmux.admin.CommandTokens.Token;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.protocol.SqlState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting a Query into statements, and a statement into tokens, as PostgreSQL's lexer would. */
class AdminStatementsTest {
    @Test
    void splitsAtSemicolonsAndDropsEmptyStatements() {
        assertEquals(List.of("SHOW POOLS", "SHOW STATS"), StatementSplitter.split("SHOW POOLS; SHOW STATS;"));
        assertEquals(List.of("SHOW POOLS"), StatementSplitter.split(";;  SHOW POOLS  ;;"));
        assertEquals(List.of(), StatementSplitter.split(""));
        assertEquals(List.of(), StatementSplitter.split(" ; ;\n"));
    }

    @Test
    void semicolonsInQuotesDoNotSplit() {
        assertEquals(List.of("SET application_name = 'a;b'", "SHOW x"),
                StatementSplitter.split("SET application_name = 'a;b'; SHOW x"));
        assertEquals(List.of("PAUSE \"odd;db\""), StatementSplitter.split("PAUSE \"odd;db\";"));
        assertEquals(List.of("SET a = 'it''s;'"), StatementSplitter.split("SET a = 'it''s;'"));
    }

    @Test
    void commentsBecomeSpaces() {
        assertEquals(List.of("SHOW POOLS"), StatementSplitter.split("SHOW/* ; */POOLS -- ; trailing"));
        assertEquals(List.of("SHOW POOLS"), StatementSplitter.split("-- first\nSHOW POOLS"));
        assertEquals(List.of("SHOW  POOLS"), StatementSplitter.split("SHOW /* a /* nested; */ b */POOLS"));
        assertEquals(List.of(), StatementSplitter.split("/* only a comment */"));
    }

    @Test
    void unterminatedQuotesAndCommentsAreSyntaxErrors() {
        for (String each : new String[] {"SET a = 'x", "PAUSE \"db", "SHOW /* POOLS", "SHOW /* /* */ POOLS"}) {
            AdminException e = assertThrows(AdminException.class, () -> StatementSplitter.split(each), each);
            assertEquals(SqlState.SYNTAX_ERROR, e.error().sqlState(), each);
        }
    }

    @Test
    void tokens() {
        assertEquals(List.of(new Token(Kind.WORD, "SET"), new Token(Kind.WORD, "search_path"),
                new Token(Kind.EQUALS, "="), new Token(Kind.STRING, "it's"), new Token(Kind.COMMA, ","),
                new Token(Kind.IDENTIFIER, "My \"DB\""), new Token(Kind.WORD, "10s")),
                CommandTokens.of("SET search_path='it''s',\"My \"\"DB\"\"\" 10s"));
        assertEquals(List.of(new Token(Kind.WORD, "a-b.c"), new Token(Kind.EQUALS, "="),
                new Token(Kind.WORD, "-1")), CommandTokens.of("  a-b.c=-1  "));
    }

    @Test
    void tokensShowAsWritten() {
        assertEquals("'it''s'", new Token(Kind.STRING, "it's").shown());
        assertEquals("\"a\"\"b\"", new Token(Kind.IDENTIFIER, "a\"b").shown());
        assertEquals("word", new Token(Kind.WORD, "word").shown());
    }
}
