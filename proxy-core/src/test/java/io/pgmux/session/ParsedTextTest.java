package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A text parsed again is not lexed again; any other text, or other standard_conforming_strings, is. */
class ParsedTextTest {
    private final ParsedText parsed = new ParsedText();
    private final SqlLexer lexer = new SqlLexer();

    private SessionEffects effects(String sql, boolean standardConformingStrings) {
        // Within a larger buffer, as a Parse message holds it.
        ByteBuf frame = Unpooled.wrappedBuffer(("P\0" + sql + "\0\0\0").getBytes(StandardCharsets.UTF_8));
        return parsed.effects(frame, 2, 2 + sql.length(), standardConformingStrings, lexer);
    }

    @Test
    void theSameTextAgainGivesTheEffectsFoundTheFirstTime() {
        SessionEffects first = effects("set search_path = app", true);
        assertEquals(Set.of("search_path"), first.names());
        assertSame(first, effects("set search_path = app", true), "kept, not lexed again");
    }

    @Test
    void anotherTextOfTheSameLengthOrOtherStringRulesAreLexedAgain() {
        SessionEffects first = effects("set search_path = app", true);
        SessionEffects other = effects("set statement_timeout", true);
        assertEquals(Set.of("statement_timeout"), other.names());
        SessionEffects back = effects("set search_path = app", true);
        assertNotSame(first, back);
        assertEquals(first, back);
        assertNotSame(back, effects("set search_path = app", false), "standard_conforming_strings changed");
    }

    @Test
    void aTextLongerThanTheLimitIsNotKept() {
        String pad = "x".repeat(ParsedText.MAX_LENGTH);
        String sql = "set search_path = app -- " + pad;
        SessionEffects first = effects(sql, true);
        assertEquals(Set.of("search_path"), first.names());
        assertNotSame(first, effects(sql, true));
        SessionEffects shortOne = effects("set search_path = app", true);
        assertSame(shortOne, effects("set search_path = app", true), "a shorter one is kept again");
    }
}
