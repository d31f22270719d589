package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The primitives of RFC 5802 instantiated with SHA-256 (RFC 7677), shared by the client and server sides. */
final class ScramFunctions {
    /** Length of SHA-256 output, hence of every SCRAM key, signature and proof. */
    static final int KEY_LENGTH = 32;

    /** Raw nonce bytes; 18 is what PostgreSQL uses, and base64 of 18 bytes has no padding. */
    private static final int NONCE_BYTES = 18;

    private ScramFunctions() {
    }

    /**
     * {@code SaltedPassword := Hi(Normalize(password), salt, i)}. Hi is PBKDF2 with HMAC-SHA-256 and a 32-byte
     * output, which the JDK provides. The SunJCE implementation turns the password chars into UTF-8, which is
     * the encoding SCRAM requires; the RFC and PostgreSQL test vectors pin that down.
     */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        if (password.isEmpty()) {
            // PostgreSQL never stores an empty password, and the JDK refuses a zero-length HMAC key anyway.
            throw new IllegalArgumentException("SCRAM password must not be empty");
        }
        char[] chars = SaslPrep.prepare(password).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, KEY_LENGTH * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks HmacSHA256", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }

    static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("xor of arrays of different lengths");
        }
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes a base64 attribute value; {@code what} names it in the error, e.g. "upstream SCRAM salt". */
    static byte[] decodeBase64(String value, String what) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(what + " is not valid base64");
        }
    }

    static String randomNonce(SecureRandom random) {
        byte[] raw = new byte[NONCE_BYTES];
        random.nextBytes(raw);
        return base64(raw);
    }

    /**
     * A nonce is printable ASCII other than ',' (RFC 5802 {@code printable}); anything else could not be echoed
     * back inside the comma-separated messages.
     */
    static boolean isValidNonce(String nonce) {
        if (nonce.isEmpty()) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }
}
