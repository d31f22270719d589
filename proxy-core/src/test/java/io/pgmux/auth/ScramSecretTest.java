package io.pgmux.auth;

import static io.pgmux.auth.ScramExchangeTest.PG_PENCIL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.StoredPassword;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScramSecretTest {
    private static final String KEY = "qXy+pwNz3Gv3lw2w4X0REAZoAARtBFYnLy9ZgzDWzMA="; // 32 bytes

    @Test
    void parsesPostgresqlSecret() {
        ScramSecret secret = ScramSecret.parse(PG_PENCIL);
        assertEquals(4096, secret.iterations());
        assertArrayEquals(Base64.getDecoder().decode("w4CshlNTbN6fOyyVZ54UYw=="), secret.salt());
        assertArrayEquals(Base64.getDecoder().decode(KEY), secret.storedKey());
        assertArrayEquals(Base64.getDecoder().decode("/RfbFSOrmYVlhqSVCc5QKirVsUfUhzrTfb4++JsNLUw="),
                secret.serverKey());
        assertEquals(PG_PENCIL, secret.toString());
    }

    @Test
    void formatsWhatItParses() {
        ScramSecret made = ScramSecret.fromPassword("pencil", new byte[] {9, 8, 7, 6, 5}, 10);
        String text = made.toString();
        assertTrue(text.startsWith("SCRAM-SHA-256$10:CQgHBgU=$"), text);
        assertEquals(made, ScramSecret.parse(text));
        assertEquals(made.hashCode(), ScramSecret.parse(text).hashCode());
    }

    @Test
    void randomSaltUsesPostgresqlDefaults() {
        ScramSecret a = ScramSecret.fromPassword("pencil");
        ScramSecret b = ScramSecret.fromPassword("pencil");
        assertEquals(4096, a.iterations());
        assertEquals(16, a.salt().length);
        assertNotEquals(a, b);
        assertEquals(a, ScramSecret.fromPassword("pencil", a.salt(), a.iterations()));
    }

    @Test
    void accessorsReturnCopies() {
        ScramSecret secret = ScramSecret.parse(PG_PENCIL);
        secret.salt()[0] ^= 1;
        secret.storedKey()[0] ^= 1;
        secret.serverKey()[0] ^= 1;
        assertEquals(PG_PENCIL, secret.toString());
    }

    @Test
    void fromPasswordCopiesTheSalt() {
        byte[] salt = {1, 2, 3};
        ScramSecret secret = ScramSecret.fromPassword("pencil", salt, 1);
        salt[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, secret.salt());
    }

    @Test
    void fromPasswordRejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> ScramSecret.fromPassword("pencil", new byte[0], 4096));
        assertThrows(IllegalArgumentException.class, () -> ScramSecret.fromPassword("pencil", new byte[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> ScramSecret.fromPassword("", new byte[] {1}, 1));
    }

    @Test
    void recognisesSecretsByPrefix() {
        assertTrue(ScramSecret.looksLikeSecret(PG_PENCIL));
        assertFalse(ScramSecret.looksLikeSecret("pencil"));
        assertFalse(ScramSecret.looksLikeSecret("md5106aba8154338e0e2dc03dde364e84be"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "pencil",
        "md5106aba8154338e0e2dc03dde364e84be",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-1$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "scram-sha-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY + "$extra",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY + ":extra",
        "SCRAM-SHA-256$4096$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$0:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$-1:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$abc:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$99999999999:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:not*base64$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":AAAA",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$AAAA:" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY + "AAAA",
    })
    void rejectsGarbage(String text) {
        assertThrows(IllegalArgumentException.class, () -> ScramSecret.parse(text));
    }

    @Test
    void errorDoesNotRepeatTheInput() {
        // A plaintext password that happens to start like a secret must not end up in a log.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScramSecret.parse("SCRAM-SHA-256$hunter2"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void convertsToAndFromTheConfigurationsVerifier() {
        StoredPassword.ScramSha256 verifier = StoredPassword.ScramSha256.parse(PG_PENCIL);
        ScramSecret secret = ScramSecret.fromVerifier(verifier);
        assertEquals(ScramSecret.parse(PG_PENCIL), secret);
        assertEquals(verifier, secret.toVerifier());
        assertEquals(PG_PENCIL, secret.toVerifier().text());
    }

    @Test
    void checksACleartextPasswordAgainstTheVerifier() {
        ScramSecret secret = ScramSecret.parse(PG_PENCIL);
        assertTrue(secret.matchesPassword("pencil"));
        assertFalse(secret.matchesPassword("Pencil"));
        assertFalse(secret.matchesPassword(""));
    }
}
