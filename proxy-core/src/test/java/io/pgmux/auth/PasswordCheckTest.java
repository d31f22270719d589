package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordCheckTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsTheConfiguredPassword() {
        assertTrue(PasswordCheck.matches("secret", utf8("secret")));
        assertTrue(PasswordCheck.matches("p\u00e4ss", utf8("p\u00e4ss")));
    }

    @Test
    void rejectsAnythingElse() {
        assertFalse(PasswordCheck.matches("secret", utf8("Secret")));
        assertFalse(PasswordCheck.matches("secret", utf8("secre")));
        assertFalse(PasswordCheck.matches("secret", utf8("secrets")));
        assertFalse(PasswordCheck.matches("secret", utf8("")));
        assertFalse(PasswordCheck.matches("secret", utf8("secret\0"))); // terminator must already be stripped
        assertFalse(PasswordCheck.matches("p\u00e4ss", "p\u00e4ss".getBytes(StandardCharsets.ISO_8859_1)));
    }
}
