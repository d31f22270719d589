package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three forms of pg_authid.rolpassword, told apart as PostgreSQL does, and never shown in a message. */
final class StoredPasswordTest {
    /** What PostgreSQL 15 stored for {@code PASSWORD 'pencil'} with password_encryption scram-sha-256. */
    static final String PG_PENCIL = "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$"
            + "qXy+pwNz3Gv3lw2w4X0REAZoAARtBFYnLy9ZgzDWzMA=:/RfbFSOrmYVlhqSVCc5QKirVsUfUhzrTfb4++JsNLUw=";
    /** md5('pencil' || 'api'), as PostgreSQL stores it for role api with password_encryption md5. */
    static final String MD5_PENCIL_API = "md5d4350290006a60f4f340de539f4c7f88";
    private static final String KEY = "qXy+pwNz3Gv3lw2w4X0REAZoAARtBFYnLy9ZgzDWzMA=";

    @Test
    void scramVerifierIsParsedIntoItsParts() {
        StoredPassword.ScramSha256 scram =
                assertInstanceOf(StoredPassword.ScramSha256.class, StoredPassword.parse(PG_PENCIL));
        assertEquals(StoredPassword.Kind.SCRAM_SHA_256, scram.kind());
        assertEquals(4096, scram.iterations());
        assertArrayEquals(Base64.getDecoder().decode("w4CshlNTbN6fOyyVZ54UYw=="), scram.salt());
        assertArrayEquals(Base64.getDecoder().decode(KEY), scram.storedKey());
        assertEquals(PG_PENCIL, scram.text());
        assertEquals(scram, StoredPassword.parse(scram.text()));
        assertEquals(scram.hashCode(), StoredPassword.parse(PG_PENCIL).hashCode());
    }

    @Test
    void verifierArraysAreCopiedInAndOut() {
        byte[] salt = {1, 2, 3};
        StoredPassword.ScramSha256 scram = new StoredPassword.ScramSha256(1, salt, new byte[32], new byte[32]);
        salt[0] = 9;
        scram.salt()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, scram.salt());
    }

    @Test
    void md5HashIsExactlyMd5AndThirtyTwoLowercaseHexDigits() {
        StoredPassword.Md5 md5 = assertInstanceOf(StoredPassword.Md5.class, StoredPassword.parse(MD5_PENCIL_API));
        assertEquals(StoredPassword.Kind.MD5, md5.kind());
        assertEquals("d4350290006a60f4f340de539f4c7f88", md5.hexDigest());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "pencil",
        "md5",
        "md5isweak",
        "md5d4350290006a60f4f340de539f4c7f8",     // 31 digits
        "md5d4350290006a60f4f340de539f4c7f88a",   // 33 digits
        "md5D4350290006A60F4F340DE539F4C7F88",    // PostgreSQL writes lowercase; this is a password
        "MD5d4350290006a60f4f340de539f4c7f88",
        "scram-sha-256$4096:abc",                 // the prefix is case-sensitive, as in PostgreSQL
        " SCRAM-SHA-256$",
    })
    void anythingElseIsPlaintext(String text) {
        StoredPassword.Plaintext plain = assertInstanceOf(StoredPassword.Plaintext.class, StoredPassword.parse(text));
        assertEquals(text, plain.password());
        assertEquals(StoredPassword.Kind.PLAINTEXT, plain.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY + "$extra",
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY + ":extra",
        "SCRAM-SHA-256$4096$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$0:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$-1:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$99999999999:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:not*base64$" + KEY + ":" + KEY,
        "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$" + KEY + ":AAAA",
    })
    void malformedVerifierIsRefusedNotTakenAsAPassword(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredPassword.parse(text));
        assertFalse(e.getMessage().contains("w4Csh") || e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void emptyPasswordIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoredPassword.parse(""));
        assertEquals("a password must not be empty (PostgreSQL refuses empty passwords); leave the key out when"
                + " there is no password", e.getMessage());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        assertFalse(StoredPassword.parse("hunter2").toString().contains("hunter2"));
        assertFalse(StoredPassword.parse(MD5_PENCIL_API).toString().contains("d435"));
        String scram = StoredPassword.parse(PG_PENCIL).toString();
        assertFalse(scram.contains("w4Csh") || scram.contains("qXy+"), scram);
        assertEquals("ScramSha256[iterations=4096, keys hidden]", scram);
    }

    @Test
    void differentVerifiersDiffer() {
        StoredPassword a = StoredPassword.parse(PG_PENCIL);
        StoredPassword b = StoredPassword.parse(PG_PENCIL.replace("4096:", "4097:"));
        assertNotEquals(a, b);
    }
}
