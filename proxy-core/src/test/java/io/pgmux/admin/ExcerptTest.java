package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExcerptTest {
    @Test
    void shortTextIsShownWhole() {
        String eighty = "x".repeat(80);
        assertEquals(eighty, Excerpt.of(eighty));
        assertEquals("", Excerpt.of(""));
    }

    @Test
    void longTextIsCutToEightyCharactersAndSaysHowLongItWas() {
        String shown = Excerpt.of("y".repeat(1 << 20));
        assertEquals("y".repeat(80) + "... (1048576 characters)", shown);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = "a".repeat(79) + "\uD83D\uDE00" + "b".repeat(10);
        assertEquals("a".repeat(79) + "... (91 characters)", Excerpt.of(text));
    }
}
