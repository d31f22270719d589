package io.pgmux.auth;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * What SCRAM passthrough logs in upstream with: a user's ClientKey, recovered from the proof the client sent
 * pgmux, together with the verifier it belongs to (RFC 5802 section 3).
 *
 * <p>A client's proof is {@code ClientProof = ClientKey XOR ClientSignature} with
 * {@code ClientSignature = HMAC(StoredKey, AuthMessage)}. A server that holds StoredKey can therefore compute
 * {@code ClientKey = ClientProof XOR ClientSignature}, and the proof is valid exactly when
 * {@code H(ClientKey) = StoredKey}. With that ClientKey pgmux can compute the proof for another exchange with a
 * server holding the same verifier (same salt, iteration count and keys), and with ServerKey it checks that
 * server's signature. So pgmux logs in as the user with no password stored anywhere; the ClientKey is as good as
 * the password for that verifier, so keep it in memory only and never log it.
 *
 * <p>Immutable; accessors return copies.
 */
public final class ScramClientKey {
    private final int iterations;
    private final byte[] salt;
    private final byte[] clientKey;
    private final byte[] serverKey;

    private ScramClientKey(int iterations, byte[] salt, byte[] clientKey, byte[] serverKey) {
        this.iterations = iterations;
        this.salt = salt;
        this.clientKey = clientKey;
        this.serverKey = serverKey;
    }

    /**
     * Recovers the ClientKey from a client's proof of one exchange with {@code secret}.
     *
     * @param authMessage the exchange's AuthMessage: client-first-message-bare, server-first-message and
     *                    client-final-message-without-proof, joined by commas
     * @param proof       the decoded {@code p=} value of the client-final-message
     * @return the key, or empty when the proof does not verify (a wrong password); the comparison is constant-time
     */
    public static Optional<ScramClientKey> recover(ScramSecret secret, String authMessage, byte[] proof) {
        byte[] storedKey = secret.storedKey();
        if (proof.length != ScramFunctions.KEY_LENGTH) {
            return Optional.empty();
        }
        byte[] clientKey = ScramFunctions.xor(proof, ScramFunctions.hmac(storedKey, authMessage));
        if (!MessageDigest.isEqual(ScramFunctions.sha256(clientKey), storedKey)) {
            Arrays.fill(clientKey, (byte) 0);
            return Optional.empty();
        }
        return Optional.of(new ScramClientKey(secret.iterations(), secret.salt(), clientKey, secret.serverKey()));
    }

    /**
     * The ClientKey of {@code password} for {@code secret}'s salt and iteration count, checked against it; for
     * tests and tools that start from a password. Costs one PBKDF2 run.
     *
     * @throws IllegalArgumentException when the password does not match the secret
     */
    static ScramClientKey fromPassword(String password, ScramSecret secret) {
        byte[] salted = ScramFunctions.saltedPassword(password, secret.salt(), secret.iterations());
        byte[] clientKey = ScramFunctions.hmac(salted, "Client Key");
        Arrays.fill(salted, (byte) 0);
        if (!MessageDigest.isEqual(ScramFunctions.sha256(clientKey), secret.storedKey())) {
            throw new IllegalArgumentException("the password does not match the SCRAM secret");
        }
        return new ScramClientKey(secret.iterations(), secret.salt(), clientKey, secret.serverKey());
    }

    public int iterations() {
        return iterations;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public byte[] clientKey() {
        return clientKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** {@code StoredKey = H(ClientKey)}. */
    public byte[] storedKey() {
        return ScramFunctions.sha256(clientKey);
    }

    /** Whether a server asking for this salt and iteration count holds the same verifier as far as can be seen. */
    boolean fits(byte[] serverSalt, int serverIterations) {
        return serverIterations == iterations && Arrays.equals(serverSalt, salt);
    }

    @Override
    public String toString() {
        return "ScramClientKey[iterations=" + iterations + ", keys hidden]";
    }
}
