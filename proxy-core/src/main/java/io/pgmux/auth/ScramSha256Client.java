package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The client side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL speaks it; pgmux uses it
 * to log in to the upstream server.
 *
 * <p>Like libpq without channel binding: the gs2 header is {@code n,,} (pgmux does not do channel binding, so it
 * must not claim {@code y}) and the username is sent empty ({@code n=,r=<nonce>}) because PostgreSQL takes the
 * user from the startup packet and ignores this one.
 *
 * <p>It proves itself with a password or, for SCRAM passthrough, with a ClientKey recovered from a client's proof
 * ({@link #withClientKey}).
 *
 * <p>Call {@link #clientFirstMessage()}, {@link #clientFinalMessage(byte[])} and
 * {@link #verifyServerFinal(byte[])} once each, in that order. Not thread-safe; one instance per login attempt.
 * After any failure the instance is spent.
 */
public final class ScramSha256Client {
    public static final String MECHANISM = "SCRAM-SHA-256";

    /**
     * Upper bound on the iteration count we will compute. PostgreSQL defaults to 4096; a server (or something
     * impersonating one) asking for billions would pin a pgmux core for minutes per login.
     */
    static final int MAX_ITERATIONS = 10_000_000;

    /** The gs2 header of a client that cannot bind the channel (no TLS). */
    private static final String GS2_UNBOUND = "n,,";

    private enum State { NEW, FIRST_SENT, FINAL_SENT, COMPLETE, FAILED }

    /** ClientKey and ServerKey of one exchange. */
    private record Keys(byte[] clientKey, byte[] serverKey) {
    }

    /** Where the keys come from: derived from a password, or a recovered ClientKey used as it is. */
    private interface Credential {
        /** The keys for the server's salt and iteration count. */
        Keys keysFor(byte[] salt, int iterations);

        /** Whether {@link #keysFor} costs no key derivation for this salt and count. */
        default boolean keysAtHand(byte[] salt, int iterations) {
            return false;
        }
    }

    private final Credential credential;
    private final String clientNonce;
    private final String clientFirstBare;
    /** {@code n,,}, {@code y,,} or {@code p=tls-server-end-point,,}: see {@link #bindChannel}. */
    private String gs2Header = GS2_UNBOUND;
    /** The server's certificate hash when bound; empty otherwise. */
    private byte[] boundData = new byte[0];
    private byte[] expectedServerSignature;
    private State state = State.NEW;

    public ScramSha256Client(String password) {
        this(password, "", ScramFunctions.randomNonce(new SecureRandom()));
    }

    /**
     * Fixes the nonce and the username so tests can reproduce RFC vectors. PostgreSQL ignores the username, so
     * production code always sends it empty.
     */
    ScramSha256Client(String password, String username, String clientNonce) {
        this(passwordCredential(password), username, clientNonce);
    }

    private ScramSha256Client(Credential credential, String username, String clientNonce) {
        if (!ScramFunctions.isValidNonce(clientNonce)) {
            throw new IllegalArgumentException("SCRAM nonce must be printable ASCII without ','");
        }
        this.credential = credential;
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + escapeSaslName(username) + ",r=" + clientNonce;
    }

    /**
     * A client for SCRAM passthrough: it proves itself with a ClientKey recovered from a client's own proof
     * instead of a password, and checks the server with the ServerKey of the same verifier. The server must hold
     * that verifier: when it asks for another salt or iteration count the exchange fails before any proof is sent,
     * saying so. No key derivation happens, so this costs two HMACs.
     */
    public static ScramSha256Client withClientKey(ScramClientKey key) {
        return withClientKey(key, "", ScramFunctions.randomNonce(new SecureRandom()));
    }

    /** {@link #withClientKey(ScramClientKey)} with a fixed username and nonce, for RFC vectors. */
    static ScramSha256Client withClientKey(ScramClientKey key, String username, String clientNonce) {
        Credential credential = (salt, iterations) -> {
            if (!key.fits(salt, iterations)) {
                throw new AuthenticationException("upstream SCRAM server uses another salt or iteration count than"
                        + " the verifier pgmux holds for this user, so the client's key cannot log in there: the"
                        + " server's verifier differs (copy it from pg_authid, or let auth_query fetch it)");
            }
            return new Keys(key.clientKey(), key.serverKey());
        };
        return new ScramSha256Client(withoutDerivation(credential), username, clientNonce);
    }

    /**
     * A client proving itself with {@code password}, whose keys for a salt and iteration count are derived once
     * (one PBKDF2 run) and then taken from {@code derived}: a server's salt stays as long as its verifier does, so
     * only the first login of a role derives anything.
     */
    public static ScramSha256Client withPassword(String password, ScramKeys derived) {
        Credential derive = passwordCredential(password);
        Credential cached = new Credential() {
            @Override
            public Keys keysFor(byte[] salt, int iterations) {
                byte[][] keys = derived.derivedKeys(password, salt, iterations, () -> {
                    Keys fresh = derive.keysFor(salt, iterations);
                    return new byte[][] {fresh.clientKey(), fresh.serverKey()};
                });
                return new Keys(keys[0].clone(), keys[1].clone());
            }

            @Override
            public boolean keysAtHand(byte[] salt, int iterations) {
                return derived.hasDerivedKeys(password, salt, iterations);
            }
        };
        return new ScramSha256Client(cached, "", ScramFunctions.randomNonce(new SecureRandom()));
    }

    /** {@code keys} as a credential that derives nothing, whatever the salt. */
    private static Credential withoutDerivation(Credential keys) {
        return new Credential() {
            @Override
            public Keys keysFor(byte[] salt, int iterations) {
                return keys.keysFor(salt, iterations);
            }

            @Override
            public boolean keysAtHand(byte[] salt, int iterations) {
                return true;
            }
        };
    }

    private static Credential passwordCredential(String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("SCRAM password must not be empty");
        }
        return (salt, iterations) -> {
            byte[] saltedPassword = ScramFunctions.saltedPassword(password, salt, iterations);
            Keys keys = new Keys(ScramFunctions.hmac(saltedPassword, "Client Key"),
                    ScramFunctions.hmac(saltedPassword, "Server Key"));
            Arrays.fill(saltedPassword, (byte) 0);
            return keys;
        };
    }

    /**
     * Chooses channel binding as libpq does with {@code channel_binding=prefer} (its default): over TLS, bind to the
     * server's certificate ({@code tls-server-end-point}) when the server offers SCRAM-SHA-256-PLUS, else say
     * {@code y} (pgmux could bind, the server did not offer it; a server that did offer it then knows something
     * removed it); without TLS, {@code n}. Call before {@link #clientFirstMessage()}.
     *
     * @param serverEndPoint the hash of the server's certificate on this TLS connection; empty without TLS, or for
     *                       a certificate with no usable hash
     * @param offered        the mechanisms the server's AuthenticationSASL listed
     */
    public void bindChannel(java.util.Optional<byte[]> serverEndPoint, java.util.List<String> offered) {
        requireState(State.NEW, "bindChannel");
        if (serverEndPoint.isEmpty()) {
            gs2Header = GS2_UNBOUND;
        } else if (offered.contains(ScramSha256Server.MECHANISM_PLUS)) {
            gs2Header = "p=" + ScramSha256Server.TLS_SERVER_END_POINT + ",,";
            boundData = serverEndPoint.get().clone();
        } else {
            gs2Header = "y,,";
        }
    }

    /** SCRAM-SHA-256-PLUS when the channel is bound ({@link #bindChannel}), else SCRAM-SHA-256. */
    public String mechanism() {
        return boundData.length > 0 ? ScramSha256Server.MECHANISM_PLUS : MECHANISM;
    }

    /** The SASLInitialResponse data: the gs2 header, then {@code n=,r=<client nonce>}. */
    public byte[] clientFirstMessage() {
        requireState(State.NEW, "clientFirstMessage");
        state = State.FIRST_SENT;
        return utf8(gs2Header + clientFirstBare);
    }

    /**
     * Whether {@link #clientFinalMessage} would answer {@code serverFirstMessage} without a key derivation (a
     * PBKDF2 run, milliseconds): true for a recovered ClientKey, for keys kept from an earlier login with the same
     * salt and iteration count, and for a message it would refuse anyway. Call before {@link #clientFinalMessage}.
     */
    public boolean keysAtHand(byte[] serverFirstMessage) {
        requireState(State.FIRST_SENT, "keysAtHand");
        try {
            String serverFirst = ScramMessageReader.decode(serverFirstMessage, "upstream SCRAM server-first-message");
            ScramMessageReader reader = new ScramMessageReader(serverFirst, "upstream SCRAM server-first-message");
            if (reader.peekName() == 'm') {
                return true;
            }
            reader.read('r');
            byte[] salt = ScramFunctions.decodeBase64(reader.read('s'), "upstream SCRAM salt");
            return salt.length == 0 || credential.keysAtHand(salt, parseIterations(reader.read('i')));
        } catch (AuthenticationException e) {
            return true; // refused without deriving anything
        }
    }

    /**
     * Answers the server-first-message ({@code r=..,s=..,i=..}) with the client-final-message carrying the proof.
     *
     * @throws AuthenticationException if the server message is malformed, its nonce does not extend ours, or its
     *     salt or iteration count are unusable
     */
    public byte[] clientFinalMessage(byte[] serverFirstMessage) {
        requireState(State.FIRST_SENT, "clientFinalMessage");
        state = State.FAILED; // until we get to the end
        String serverFirst = ScramMessageReader.decode(serverFirstMessage, "upstream SCRAM server-first-message");
        ScramMessageReader reader = new ScramMessageReader(serverFirst, "upstream SCRAM server-first-message");
        if (reader.peekName() == 'm') {
            throw new AuthenticationException("upstream SCRAM server requires an extension pgmux does not support");
        }
        String nonce = reader.read('r');
        if (nonce.length() <= clientNonce.length() || !nonce.startsWith(clientNonce)
                || !ScramFunctions.isValidNonce(nonce)) {
            // A server that does not add its own randomness to ours (or replaces ours) defeats replay protection.
            throw new AuthenticationException("upstream SCRAM server nonce does not extend the client nonce");
        }
        byte[] salt = ScramFunctions.decodeBase64(reader.read('s'), "upstream SCRAM salt");
        if (salt.length == 0) {
            throw new AuthenticationException("upstream SCRAM salt is empty");
        }
        int iterations = parseIterations(reader.read('i'));
        reader.skipExtensions();

        Keys keys = credential.keysFor(salt, iterations);
        byte[] clientKey = keys.clientKey();
        byte[] storedKey = ScramFunctions.sha256(clientKey);
        byte[] serverKey = keys.serverKey();

        byte[] header = utf8(gs2Header);
        byte[] binding = Arrays.copyOf(header, header.length + boundData.length);
        System.arraycopy(boundData, 0, binding, header.length, boundData.length);
        String withoutProof = "c=" + ScramFunctions.base64(binding) + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] proof = ScramFunctions.xor(clientKey, ScramFunctions.hmac(storedKey, authMessage));
        expectedServerSignature = ScramFunctions.hmac(serverKey, authMessage);
        state = State.FINAL_SENT;
        return utf8(withoutProof + ",p=" + ScramFunctions.base64(proof));
    }

    /**
     * Checks the server-final-message. Returning normally means the server proved it knows the password, so it
     * is the real upstream and not a man in the middle.
     *
     * @throws AuthenticationException on {@code e=<error>} (with the server's text) or a signature mismatch
     */
    public void verifyServerFinal(byte[] serverFinalMessage) {
        requireState(State.FINAL_SENT, "verifyServerFinal");
        state = State.FAILED;
        String serverFinal = ScramMessageReader.decode(serverFinalMessage, "upstream SCRAM server-final-message");
        ScramMessageReader reader = new ScramMessageReader(serverFinal, "upstream SCRAM server-final-message");
        if (reader.peekName() == 'e') {
            throw new AuthenticationException("upstream SCRAM authentication failed: " + reader.read('e'));
        }
        byte[] signature = ScramFunctions.decodeBase64(reader.read('v'), "upstream SCRAM server signature");
        reader.skipExtensions();
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new AuthenticationException("upstream SCRAM server signature did not verify; the server does not"
                    + " know the password, or something between pgmux and it is impersonating it");
        }
        state = State.COMPLETE;
    }

    private static int parseIterations(String value) {
        // Digits only: Integer.parseInt would also accept a sign.
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new AuthenticationException("upstream SCRAM iteration count is not a number: " + value);
        }
        long iterations = Long.parseLong(value);
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new AuthenticationException("upstream SCRAM iteration count " + iterations
                    + " is outside 1.." + MAX_ITERATIONS);
        }
        return (int) iterations;
    }

    /** RFC 5802 saslname: ',' and '=' are escaped as =2C and =3D. */
    private static String escapeSaslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " called in state " + state);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
