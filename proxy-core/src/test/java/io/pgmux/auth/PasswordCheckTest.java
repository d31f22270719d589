package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.StoredPassword;
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

    @Test
    void cleartextIsCheckedAgainstEveryStoredForm() {
        StoredPassword plain = StoredPassword.parse("secret");
        StoredPassword md5 = StoredPassword.parse("md5106aba8154338e0e2dc03dde364e84be"); // v_md5 / secret
        StoredPassword scram = StoredPassword.parse(ScramExchangeTest.PG_PENCIL);
        assertTrue(PasswordCheck.matches(plain, "anyone", "secret"));
        assertFalse(PasswordCheck.matches(plain, "anyone", "Secret"));
        assertTrue(PasswordCheck.matches(md5, "v_md5", "secret"));
        assertFalse(PasswordCheck.matches(md5, "v_md5", "secrets"));
        assertFalse(PasswordCheck.matches(md5, "other", "secret"), "an md5 hash is bound to its user name");
        assertTrue(PasswordCheck.matches(scram, "anyone", "pencil"));
        assertFalse(PasswordCheck.matches(scram, "anyone", "Pencil"));
        assertFalse(PasswordCheck.matches(scram, "anyone", ""));
    }
}
