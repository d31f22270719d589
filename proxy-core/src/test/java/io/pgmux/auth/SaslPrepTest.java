package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SaslPrepTest {
    @Test
    void leavesAsciiAlone() {
        String ascii = "Pa$$ w0rd\t\u007f";
        assertSame(ascii, SaslPrep.prepare(ascii));
    }

    @Test
    void composesToNfkc() {
        assertEquals("p\u00e4ssw\u00f6rd", SaslPrep.prepare("pa\u0308sswo\u0308rd"));
        assertEquals("A1", SaslPrep.prepare("\uff21\uff11")); // fullwidth forms
        assertEquals("fi", SaslPrep.prepare("\ufb01")); // ligature
    }

    @Test
    void mapsNonAsciiSpacesToSpace() {
        assertEquals("a b c d", SaslPrep.prepare("a\u00a0b\u3000c\u2003d"));
        // U+200B is in both tables; PostgreSQL maps spaces first, so it becomes a space.
        assertEquals("a b", SaslPrep.prepare("a\u200bb"));
    }

    @Test
    void dropsCharactersMappedToNothing() {
        assertEquals("\u00e9ab", SaslPrep.prepare("\u00e9a\u00adb\ufeff"));
    }

    @Test
    void keepsThePasswordWhenNothingWouldBeLeft() {
        assertEquals("\u00ad", SaslPrep.prepare("\u00ad"));
    }
}
