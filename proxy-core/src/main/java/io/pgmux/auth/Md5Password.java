package io.pgmux.auth;

import io.pgmux.config.StoredPassword;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * PostgreSQL's MD5 challenge-response (AuthenticationMD5Password): the client answers
 * {@code "md5" + hex(md5(hex(md5(password + user)) + salt))}.
 *
 * <p>Both methods deal in the PasswordMessage content <em>without</em> its trailing NUL: the protocol layer
 * writes and strips the C-string terminator. User and password are taken as UTF-8, which is what PostgreSQL sees
 * from a UTF-8 client. MD5 is weak and deprecated in PostgreSQL; this exists for servers and clients that still
 * use it.
 */
public final class Md5Password {
    /** The challenge is always four bytes. */
    public static final int SALT_LENGTH = 4;

    private Md5Password() {
    }

    /** The response pgmux sends when an upstream server asks for MD5 with {@code salt}. */
    public static byte[] encode(String user, String password, byte[] salt) {
        return respond(innerHex(user, password), salt);
    }

    /**
     * What PostgreSQL stores for {@code password} of role {@code user} under {@code password_encryption = md5}:
     * {@code "md5" + hex(md5(password + user))}.
     */
    public static StoredPassword.Md5 hash(String user, String password) {
        return new StoredPassword.Md5("md5" + new String(innerHex(user, password), StandardCharsets.US_ASCII));
    }

    /**
     * The response to {@code salt} computed from the stored hash alone, which is all the challenge needs: how
     * pgmux logs in to a server using md5 with an md5 hash from its configuration.
     */
    public static byte[] encodeFromHash(StoredPassword.Md5 hash, byte[] salt) {
        return respond(hash.hexDigest().getBytes(StandardCharsets.US_ASCII), salt);
    }

    /**
     * Whether a client's response to our {@code salt} matches a stored md5 hash (PostgreSQL's check when the
     * role's password is stored as md5). Constant-time.
     */
    public static boolean verifyHash(StoredPassword.Md5 hash, byte[] salt, byte[] clientResponse) {
        return MessageDigest.isEqual(encodeFromHash(hash, salt), clientResponse);
    }

    private static byte[] innerHex(String user, String password) {
        return md5Hex(concat(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] respond(byte[] innerHex, byte[] salt) {
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("MD5 salt must be " + SALT_LENGTH + " bytes, got " + salt.length);
        }
        return concat("md5".getBytes(StandardCharsets.US_ASCII), md5Hex(concat(innerHex, salt)));
    }

    /**
     * Whether a client's response to our {@code salt} proves it knows {@code password}. Compares in constant
     * time so the response cannot be guessed byte by byte from timings.
     */
    public static boolean verify(String user, String password, byte[] salt, byte[] clientResponse) {
        return MessageDigest.isEqual(encode(user, password, salt), clientResponse);
    }

    /** Lowercase hex of the MD5 digest, as ASCII bytes: PostgreSQL hashes the hex text, not the raw digest. */
    private static byte[] md5Hex(byte[] data) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(data);
            return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks MD5", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
