package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.StoredPassword;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Md5PasswordTest {
    private static final byte[] SALT = {1, 2, 3, 4};

    /** The PostgreSQL formula written out independently of the code under test. */
    private static String expected(String user, String password, byte[] salt) throws Exception {
        String inner = hex(MessageDigest.getInstance("MD5")
                .digest((password + user).getBytes(StandardCharsets.UTF_8)));
        MessageDigest outer = MessageDigest.getInstance("MD5");
        outer.update(inner.getBytes(StandardCharsets.US_ASCII));
        outer.update(salt);
        return "md5" + hex(outer.digest());
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodesKnownValue() throws Exception {
        byte[] response = Md5Password.encode("postgres", "secret", SALT);
        assertEquals(expected("postgres", "secret", SALT), new String(response, StandardCharsets.US_ASCII));
        // The same value computed with Python's hashlib, as a fixed point.
        assertArrayEquals(ascii("md5bb41a296aab6baccb36ff243a562abff"), response);
        assertEquals(35, response.length); // "md5" + 32 hex digits, no trailing NUL
    }

    @Test
    void matchesTheHashPostgresqlStored() throws Exception {
        // pg_authid.rolpassword after SET password_encryption = 'md5'; ALTER ROLE v_md5 PASSWORD 'secret'.
        String stored = "md5106aba8154338e0e2dc03dde364e84be";
        byte[] salt = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        MessageDigest outer = MessageDigest.getInstance("MD5");
        outer.update(ascii(stored.substring(3)));
        outer.update(salt);
        assertArrayEquals(ascii("md5" + hex(outer.digest())), Md5Password.encode("v_md5", "secret", salt));
    }

    @Test
    void hashIsWhatPostgresqlStores() {
        // The same stored value as above: ALTER ROLE v_md5 PASSWORD 'secret' under password_encryption md5.
        assertEquals("md5106aba8154338e0e2dc03dde364e84be", Md5Password.hash("v_md5", "secret").hash());
    }

    @Test
    void theStoredHashAloneAnswersTheChallenge() {
        StoredPassword.Md5 stored = new StoredPassword.Md5("md5106aba8154338e0e2dc03dde364e84be");
        byte[] salt = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        byte[] fromPassword = Md5Password.encode("v_md5", "secret", salt);
        assertArrayEquals(fromPassword, Md5Password.encodeFromHash(stored, salt));
        assertTrue(Md5Password.verifyHash(stored, salt, fromPassword));
        assertFalse(Md5Password.verifyHash(stored, SALT, fromPassword));
        assertFalse(Md5Password.verifyHash(stored, salt, Md5Password.encode("v_md5", "Secret", salt)));
        assertFalse(Md5Password.verifyHash(stored, salt, Arrays.copyOf(fromPassword, 34)));
    }

    @Test
    void encodesNonAsciiAsUtf8() throws Exception {
        assertEquals(expected("j\u00fcrgen", "p\u00e4ss", SALT),
                new String(Md5Password.encode("j\u00fcrgen", "p\u00e4ss", SALT), StandardCharsets.US_ASCII));
    }

    @Test
    void verifiesResponses() throws Exception {
        byte[] good = ascii(expected("postgres", "secret", SALT));
        assertTrue(Md5Password.verify("postgres", "secret", SALT, good));
        assertFalse(Md5Password.verify("postgres", "Secret", SALT, good));
        assertFalse(Md5Password.verify("other", "secret", SALT, good));
        assertFalse(Md5Password.verify("postgres", "secret", new byte[] {1, 2, 3, 5}, good));
        assertFalse(Md5Password.verify("postgres", "secret", SALT, Arrays.copyOf(good, 34)));
        assertFalse(Md5Password.verify("postgres", "secret", SALT, Arrays.copyOf(good, 36))); // trailing NUL
        assertFalse(Md5Password.verify("postgres", "secret", SALT, new byte[0]));
    }

    @Test
    void rejectsSaltOfWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> Md5Password.encode("u", "p", new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> Md5Password.encode("u", "p", new byte[5]));
    }
}
