package io.pgmux.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) as PostgreSQL uses it, for tests only:
 * no channel binding, and the user name in the SCRAM messages is empty because PostgreSQL takes it
 * from the startup packet. Passwords are used as their UTF-8 bytes without SASLprep, which is
 * exact for the ASCII passwords of the test roles.
 */
public final class ScramClient {

    public static final String MECHANISM = "SCRAM-SHA-256";
    /** "n,," (no channel binding, no authzid), base64 for the client-final "c=" attribute. */
    private static final String GS2_HEADER = "n,,";

    private final byte[] password;
    private final String clientNonce;
    private final String clientFirstBare;
    private byte[] expectedServerSignature;

    public ScramClient(String password) {
        this.password = password.getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        this.clientNonce = Base64.getEncoder().encodeToString(nonce);
        this.clientFirstBare = "n=,r=" + clientNonce;
    }

    public String clientFirstMessage() {
        return GS2_HEADER + clientFirstBare;
    }

    /** Consumes server-first-message ("r=...,s=...,i=...") and returns client-final-message. */
    public String clientFinalMessage(String serverFirst) {
        Map<Character, String> attrs = attributes(serverFirst);
        String nonce = attrs.get('r');
        if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new AssertionError("SCRAM server nonce does not extend ours: " + serverFirst);
        }
        byte[] salt = Base64.getDecoder().decode(required(attrs, 's', serverFirst));
        int iterations = Integer.parseInt(required(attrs, 'i', serverFirst));
        if (iterations < 1 || iterations > 10_000_000) {
            throw new AssertionError("implausible SCRAM iteration count: " + serverFirst);
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);

        byte[] saltedPassword = hi(password, salt, iterations);
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = sha256(clientKey);
        byte[] clientSignature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
        }
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
        expectedServerSignature = hmac(serverKey, authMessage);
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /** Checks server-final-message ("v=..."): proves the server knew the password too. */
    public void verifyServerFinal(String serverFinal) {
        Map<Character, String> attrs = attributes(serverFinal);
        if (attrs.containsKey('e')) {
            throw new AssertionError("SCRAM server error: " + attrs.get('e'));
        }
        byte[] signature = Base64.getDecoder().decode(required(attrs, 'v', serverFinal));
        if (expectedServerSignature == null || !MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new AssertionError("SCRAM server signature does not match: " + serverFinal);
        }
    }

    /** Hi() of RFC 5802: PBKDF2 with HMAC-SHA-256 and one output block. */
    private static byte[] hi(byte[] password, byte[] salt, int iterations) {
        byte[] saltAndIndex = new byte[salt.length + 4];
        System.arraycopy(salt, 0, saltAndIndex, 0, salt.length);
        saltAndIndex[saltAndIndex.length - 1] = 1; // INT(1), big-endian
        Mac mac = mac(password);
        byte[] u = mac.doFinal(saltAndIndex);
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static Map<Character, String> attributes(String message) {
        Map<Character, String> attrs = new HashMap<>();
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(1) == '=') {
                attrs.put(part.charAt(0), part.substring(2));
            }
        }
        return attrs;
    }

    private static String required(Map<Character, String> attrs, char key, String message) {
        String value = attrs.get(key);
        if (value == null) {
            throw new AssertionError("SCRAM message lacks " + key + "=: " + message);
        }
        return value;
    }
}
