package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The server side of one SCRAM-SHA-256 exchange, for authenticating pgmux's own clients against a
 * {@link ScramSecret}, with or without channel binding (SCRAM-SHA-256-PLUS, {@code tls-server-end-point}).
 *
 * <p>Channel binding follows PostgreSQL (auth-scram.c, read_client_first_message): over TLS pgmux offers -PLUS
 * beside the plain mechanism; a client that chose -PLUS must send {@code p=tls-server-end-point} and, in its final
 * message, the hash of pgmux's certificate; a client that chose the plain mechanism sends {@code n} (it cannot
 * bind) or {@code y} (it could, but thinks pgmux cannot), and {@code y} is refused where -PLUS was offered, since
 * only a man in the middle can have hidden it. As in PostgreSQL, the username inside the SASL message is ignored
 * (it comes from the startup packet) and an authorization identity is refused.
 *
 * <p>Call {@link #serverFirstMessage(byte[])} and then {@link #serverFinalMessage(byte[])}, once each. Not
 * thread-safe; one instance per login attempt. After any failure the instance is spent.
 */
public final class ScramSha256Server {
    /** The mechanism with channel binding. */
    public static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    /** The one channel-binding type PostgreSQL and pgmux support. */
    static final String TLS_SERVER_END_POINT = "tls-server-end-point";

    private enum State { NEW, FIRST_SENT, COMPLETE, FAILED }

    private final ScramSecret secret;
    private final String serverNonce;
    private final boolean plus;
    /** pgmux's certificate hash when it offered -PLUS (the connection has TLS); empty otherwise. */
    private final Optional<byte[]> serverEndPoint;
    private State state = State.NEW;
    private String gs2Header;
    /** What the client's {@code c=} must carry: the gs2 header, plus the certificate hash when bound. */
    private byte[] expectedBinding;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    /** Set when the state becomes COMPLETE. */
    private ScramClientKey clientKey;

    /** An exchange without channel binding offered (no TLS): the client chose SCRAM-SHA-256. */
    public ScramSha256Server(ScramSecret secret) {
        this(secret, ScramSha256Client.MECHANISM, Optional.empty());
    }

    /**
     * @param mechanism      what the client chose: SCRAM-SHA-256 or SCRAM-SHA-256-PLUS
     * @param serverEndPoint present when pgmux offered -PLUS: the {@code tls-server-end-point} data of its own
     *                       certificate
     * @throws AuthenticationException for another mechanism, or -PLUS where it was not offered
     */
    public ScramSha256Server(ScramSecret secret, String mechanism, Optional<byte[]> serverEndPoint) {
        this(secret, mechanism, serverEndPoint, ScramFunctions.randomNonce(new SecureRandom()));
    }

    /** Fixes the server's half of the nonce so tests can reproduce RFC vectors. */
    ScramSha256Server(ScramSecret secret, String serverNonce) {
        this(secret, ScramSha256Client.MECHANISM, Optional.empty(), serverNonce);
    }

    ScramSha256Server(ScramSecret secret, String mechanism, Optional<byte[]> serverEndPoint, String serverNonce) {
        if (!ScramFunctions.isValidNonce(serverNonce)) {
            throw new IllegalArgumentException("SCRAM nonce must be printable ASCII without ','");
        }
        if (mechanism.equals(MECHANISM_PLUS)) {
            if (serverEndPoint.isEmpty()) {
                throw new AuthenticationException("client selected SCRAM-SHA-256-PLUS, which pgmux offers only over"
                        + " TLS");
            }
            this.plus = true;
        } else if (mechanism.equals(ScramSha256Client.MECHANISM)) {
            this.plus = false;
        } else {
            throw new AuthenticationException("SASL mechanism \"" + mechanism + "\" is not offered");
        }
        this.secret = secret;
        this.serverNonce = serverNonce;
        this.serverEndPoint = serverEndPoint.map(byte[]::clone);
    }

    public String mechanism() {
        return plus ? MECHANISM_PLUS : ScramSha256Client.MECHANISM;
    }

    /**
     * Reads the client-first-message (the SASLInitialResponse data) and returns the server-first-message
     * {@code r=<client nonce><server nonce>,s=<salt>,i=<iterations>}.
     *
     * @throws AuthenticationException if the message is malformed or asks for something not supported
     */
    public byte[] serverFirstMessage(byte[] clientFirstMessage) {
        requireState(State.NEW, "serverFirstMessage");
        state = State.FAILED; // until we get to the end
        String clientFirst = ScramMessageReader.decode(clientFirstMessage, "client SCRAM client-first-message");

        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int flagEnd = clientFirst.indexOf(',');
        int authzidEnd = flagEnd < 0 ? -1 : clientFirst.indexOf(',', flagEnd + 1);
        if (authzidEnd < 0) {
            throw new AuthenticationException("client SCRAM client-first-message is malformed: no gs2 header");
        }
        String flag = clientFirst.substring(0, flagEnd);
        byte[] boundData = new byte[0];
        if (flag.startsWith("p=")) {
            if (!plus) {
                throw new AuthenticationException("client requested SCRAM channel binding but selected the"
                        + " mechanism SCRAM-SHA-256 rather than SCRAM-SHA-256-PLUS");
            }
            if (!flag.substring(2).equals(TLS_SERVER_END_POINT)) {
                throw new AuthenticationException("client asks for an unsupported SCRAM channel-binding type");
            }
            boundData = serverEndPoint.orElseThrow();
        } else if (flag.equals("n") || flag.equals("y")) {
            if (plus) {
                throw new AuthenticationException("client selected SCRAM-SHA-256-PLUS, but its SCRAM message does"
                        + " not include channel binding data");
            }
            if (flag.equals("y") && serverEndPoint.isPresent()) {
                // The client could bind and believes pgmux cannot, yet -PLUS was offered: something between them
                // removed it (RFC 5802 section 6).
                throw new AuthenticationException("SCRAM channel binding negotiation error: the client supports"
                        + " channel binding but thinks the server does not, and this server does");
            }
        } else {
            throw new AuthenticationException("client SCRAM client-first-message is malformed: bad gs2 flag");
        }
        if (authzidEnd != flagEnd + 1) {
            throw new AuthenticationException("client SCRAM authorization identity is not supported");
        }
        gs2Header = clientFirst.substring(0, authzidEnd + 1);
        byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
        expectedBinding = java.util.Arrays.copyOf(header, header.length + boundData.length);
        System.arraycopy(boundData, 0, expectedBinding, header.length, boundData.length);
        clientFirstBare = clientFirst.substring(authzidEnd + 1);

        ScramMessageReader reader = new ScramMessageReader(clientFirstBare, "client SCRAM client-first-message");
        if (reader.peekName() == 'm') {
            throw new AuthenticationException("client requires a SCRAM extension pgmux does not support");
        }
        reader.read('n'); // ignored: the user was named in the startup packet
        String clientNonce = reader.read('r');
        if (!ScramFunctions.isValidNonce(clientNonce)) {
            throw reader.malformed("nonce must be printable ASCII");
        }
        reader.skipExtensions();

        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + ScramFunctions.base64(secret.salt()) + ",i=" + secret.iterations();
        state = State.FIRST_SENT;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Verifies the client-final-message ({@code c=..,r=..,p=<proof>}) and returns the server-final-message
     * {@code v=<server signature>}, which lets the client check that we know its secret too.
     *
     * @throws AuthenticationException on a wrong password (bad proof), a channel-binding echo that does not
     *     match the gs2 header, a nonce that is not this exchange's, or a malformed message
     */
    public byte[] serverFinalMessage(byte[] clientFinalMessage) {
        requireState(State.FIRST_SENT, "serverFinalMessage");
        state = State.FAILED;
        String clientFinal = ScramMessageReader.decode(clientFinalMessage, "client SCRAM client-final-message");
        ScramMessageReader reader = new ScramMessageReader(clientFinal, "client SCRAM client-final-message");

        // c= must be base64 of the exact gs2 header ("biws" for n,, and "eSws" for y,,), followed with -PLUS by the
        // hash of pgmux's certificate as the client saw it: a man in the middle can neither downgrade the exchange
        // nor relay it over a TLS session of its own.
        byte[] channelBinding = ScramFunctions.decodeBase64(reader.read('c'), "client SCRAM channel-binding data");
        if (!MessageDigest.isEqual(channelBinding, expectedBinding)) {
            throw new AuthenticationException(plus ? "client SCRAM channel binding check failed"
                    : "client SCRAM channel-binding data does not match its gs2 header");
        }
        if (!reader.read('r').equals(nonce)) {
            throw new AuthenticationException("client SCRAM nonce does not match this exchange");
        }
        while (reader.peekName() != 'p') {
            reader.read(reader.peekName()); // extensions, ignored
        }
        // The proof signs everything before ",p=".
        String withoutProof = clientFinal.substring(0, reader.position() - 1);
        byte[] proof = ScramFunctions.decodeBase64(reader.read('p'), "client SCRAM proof");
        if (!reader.atEnd()) {
            throw reader.malformed("the proof must be the last attribute");
        }
        if (proof.length != ScramFunctions.KEY_LENGTH) {
            throw new AuthenticationException("client SCRAM proof has the wrong length");
        }

        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        clientKey = ScramClientKey.recover(secret, authMessage, proof).orElseThrow(
                () -> new AuthenticationException("client SCRAM proof did not verify (wrong password)"));
        byte[] serverSignature = ScramFunctions.hmac(secret.serverKey(), authMessage);
        state = State.COMPLETE;
        return ("v=" + ScramFunctions.base64(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    /** True once the client's proof has verified. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    /**
     * The ClientKey recovered from the client's verified proof, for SCRAM passthrough
     * ({@link ScramSha256Client#withClientKey}).
     *
     * @throws IllegalStateException before the proof has verified
     */
    public ScramClientKey clientKey() {
        requireState(State.COMPLETE, "clientKey");
        return clientKey;
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " called in state " + state);
        }
    }
}
