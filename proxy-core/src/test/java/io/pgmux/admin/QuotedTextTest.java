package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.admin.spi.AdminException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quoted identifiers and string constants as PostgreSQL's lexer reads them ("Lexical Structure"); AdminConsoleIT checks them against it. */
class QuotedTextTest {
    private static String read(String text) {
        int end = QuotedText.stringEnd(text, 0);
        assertEquals(text.length(), end, text);
        return QuotedText.stringValue(text);
    }

    @Test
    void eachFormHasItsValue() {
        assertEquals("it's", read("'it''s'"));
        assertEquals("it's", read("E'it\\'s'"));
        assertEquals("it's", read("e'it''s'"));
        assertEquals("a\tb\nA\u0042x", read("E'a\\tb\\n\\101\\u0042\\x'"));
        assertEquals("A" + (char) 4 + "1", read("E'\\x41\\x041'"), "two hex digits at most");
        assertEquals("dat\u00e9", read("U&'d\\0061t\\+0000e9'"));
        assertEquals("a\\b", read("U&'a\\\\b'"));
        assertEquals("a;'b", read("$$a;'b$$"));
        assertEquals("x$y", read("$tag$x$y$tag$"));
    }

    @Test
    void aPrefixOrDollarStartsAConstantOnlyWhereNoIdentifierGoesOn() {
        assertEquals(-1, QuotedText.stringEnd("nameE'x'", 4), "E inside a word");
        assertEquals(-1, QuotedText.stringEnd("a$b$", 1), "a $ inside an identifier");
        assertEquals(-1, QuotedText.stringEnd("$1", 0), "a parameter");
        assertEquals(-1, QuotedText.stringEnd("Ex", 0));
        assertEquals(3, QuotedText.stringEnd("'a' 'b'", 0));
    }

    @Test
    void whatNeverEndsOrEscapesBadlyIsAnError() {
        for (String bad : List.of("'a", "E'a\\'", "$$a", "$t$a$$")) {
            AdminException e = assertThrows(AdminException.class, () -> QuotedText.stringEnd(bad, 0), bad);
            assertEquals("42601", e.error().sqlState(), bad);
        }
        assertEquals("22025", assertThrows(AdminException.class, () -> read("E'\\u12'")).error().sqlState());
        assertEquals("42601", assertThrows(AdminException.class, () -> read("U&'\\00'")).error().sqlState());
    }

    @Test
    void theConsoleSplitsAndTokensWithThem() {
        assertEquals(List.of("SET application_name = $$a;b$$", "SHOW application_name"),
                StatementSplitter.split("SET application_name = $$a;b$$; SHOW application_name"));
        assertEquals(List.of("SET application_name = E'x\\';y'"), StatementSplitter.split("SET application_name = E'x\\';y'"));
        List<CommandTokens.Token> tokens = CommandTokens.of("SET application_name = E'a\\tb'");
        assertEquals(new CommandTokens.Token(CommandTokens.Kind.STRING, "a\tb"), tokens.get(3));
    }
}
