package io.pgmux.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The server side of one SCRAM-SHA-256 exchange, for authenticating pgmux's own clients against a
 * {@link ScramSecret}.
 *
 * <p>Only the mechanism without channel binding is offered (no SCRAM-SHA-256-PLUS yet), so a client asking for
 * {@code p=} binding is refused, while {@code y,,} ("I could bind, but you did not offer it") is accepted as the
 * RFC requires of a server that does not advertise -PLUS. As in PostgreSQL, the username inside the SASL
 * message is ignored (it comes from the startup packet) and an authorization identity is refused.
 *
 * <p>Call {@link #serverFirstMessage(byte[])} and then {@link #serverFinalMessage(byte[])}, once each. Not
 * thread-safe; one instance per login attempt. After any failure the instance is spent.
 */
public final class ScramSha256Server {
    private enum State { NEW, FIRST_SENT, COMPLETE, FAILED }

    private final ScramSecret secret;
    private final String serverNonce;
    private State state = State.NEW;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    /** Set when the state becomes COMPLETE. */
    private ScramClientKey clientKey;

    public ScramSha256Server(ScramSecret secret) {
        this(secret, ScramFunctions.randomNonce(new SecureRandom()));
    }

    /** Fixes the server's half of the nonce so tests can reproduce RFC vectors. */
    ScramSha256Server(ScramSecret secret, String serverNonce) {
        if (!ScramFunctions.isValidNonce(serverNonce)) {
            throw new IllegalArgumentException("SCRAM nonce must be printable ASCII without ','");
        }
        this.secret = secret;
        this.serverNonce = serverNonce;
    }

    public String mechanism() {
        return ScramSha256Client.MECHANISM;
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
        if (flag.startsWith("p=")) {
            throw new AuthenticationException("client requested SCRAM channel binding, which pgmux does not offer"
                    + " (SCRAM-SHA-256-PLUS is not supported)");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw new AuthenticationException("client SCRAM client-first-message is malformed: bad gs2 flag");
        }
        if (authzidEnd != flagEnd + 1) {
            throw new AuthenticationException("client SCRAM authorization identity is not supported");
        }
        gs2Header = clientFirst.substring(0, authzidEnd + 1);
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

        // c= must be base64 of the exact gs2 header: "biws" for n,, and "eSws" for y,,. This is what stops a
        // man in the middle from downgrading a client that could have bound the channel.
        byte[] channelBinding = ScramFunctions.decodeBase64(reader.read('c'), "client SCRAM channel-binding data");
        if (!MessageDigest.isEqual(channelBinding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationException("client SCRAM channel-binding data does not match its gs2 header");
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
