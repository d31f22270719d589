package io.pgmux.auth;

import static io.pgmux.auth.ScramSha256ClientTest.RFC_CLIENT_FINAL;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_CLIENT_NONCE;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_SERVER_FINAL;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_SERVER_FIRST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScramSha256ServerTest {
    private static final String RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final ScramSecret RFC_SECRET =
            ScramSecret.fromPassword("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    private static final String RFC_CLIENT_FIRST = "n,,n=user,r=" + RFC_CLIENT_NONCE;
    private static final String FULL_NONCE = RFC_CLIENT_NONCE + RFC_SERVER_NONCE;
    private static final String PROOF = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ScramSha256Server rfcServer() {
        return new ScramSha256Server(RFC_SECRET, RFC_SERVER_NONCE);
    }

    /** A server that has answered the RFC client-first-message. */
    private static ScramSha256Server rfcServerAwaitingClientFinal() {
        ScramSha256Server server = rfcServer();
        server.serverFirstMessage(bytes(RFC_CLIENT_FIRST));
        return server;
    }

    @Test
    void reproducesRfc7677Vector() {
        ScramSha256Server server = rfcServer();
        assertEquals("SCRAM-SHA-256", server.mechanism());
        assertEquals(RFC_SERVER_FIRST, text(server.serverFirstMessage(bytes(RFC_CLIENT_FIRST))));
        assertFalse(server.isComplete());
        assertEquals(RFC_SERVER_FINAL, text(server.serverFinalMessage(bytes(RFC_CLIENT_FINAL))));
        assertTrue(server.isComplete());
    }

    @Test
    void randomServerNonceExtendsClientNonce() {
        ScramSha256Server server = new ScramSha256Server(RFC_SECRET);
        String serverFirst = text(server.serverFirstMessage(bytes(RFC_CLIENT_FIRST)));
        assertTrue(serverFirst.matches("r=" + RFC_CLIENT_NONCE + "[A-Za-z0-9+/]{24},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
                serverFirst);
    }

    @Test
    void rejectsWrongProof() {
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        String tampered = "c=biws,r=" + FULL_NONCE + ",p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(bytes(tampered)));
        assertTrue(e.getMessage().contains("proof did not verify"), e.getMessage());
        assertFalse(server.isComplete());
    }

    @Test
    void rejectsProofOfTheWrongLength() {
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(bytes("c=biws,r=" + FULL_NONCE + ",p=dHzbZapWIk4jUhN+")));
    }

    @Test
    void rejectsForeignNonce() {
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        String otherNonce = "c=biws,r=" + RFC_CLIENT_NONCE + "somebodyelse," + PROOF;
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(bytes(otherNonce)));
        assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void refusesChannelBindingRequest() {
        ScramSha256Server server = rfcServer();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFirstMessage(bytes("p=tls-server-end-point,,n=,r=" + RFC_CLIENT_NONCE)));
        assertTrue(e.getMessage().contains("channel binding"), e.getMessage());
    }

    @Test
    void refusesAuthorizationIdentity() {
        ScramSha256Server server = rfcServer();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFirstMessage(bytes("n,a=admin,n=,r=" + RFC_CLIENT_NONCE)));
        assertTrue(e.getMessage().contains("authorization identity"), e.getMessage());
    }

    @Test
    void channelBindingEchoMustMatchGs2Header() {
        // n,, announced but y,, echoed, and the other way round: the downgrade check of RFC 5802.
        ScramSha256Server n = rfcServerAwaitingClientFinal();
        assertThrows(AuthenticationException.class,
                () -> n.serverFinalMessage(bytes("c=eSws,r=" + FULL_NONCE + "," + PROOF)));

        ScramSha256Server y = rfcServer();
        y.serverFirstMessage(bytes("y,,n=user,r=" + RFC_CLIENT_NONCE));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> y.serverFinalMessage(bytes("c=biws,r=" + FULL_NONCE + "," + PROOF)));
        assertTrue(e.getMessage().contains("channel-binding"), e.getMessage());
    }

    @Test
    void acceptsClientThatSupportsBindingButWasNotOfferedIt() {
        // A y,, client signs "c=eSws", so build a matching proof with the client class's arithmetic.
        ScramSecret secret = ScramSecret.fromPassword("pencil", new byte[] {1, 2, 3, 4}, 4096);
        ScramSha256Server server = new ScramSha256Server(secret, RFC_SERVER_NONCE);
        String clientFirstBare = "n=,r=" + RFC_CLIENT_NONCE;
        String serverFirst = text(server.serverFirstMessage(bytes("y,," + clientFirstBare)));
        String withoutProof = "c=eSws,r=" + FULL_NONCE;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] salted = ScramFunctions.saltedPassword("pencil", new byte[] {1, 2, 3, 4}, 4096);
        byte[] clientKey = ScramFunctions.hmac(salted, "Client Key");
        byte[] proof = ScramFunctions.xor(clientKey,
                ScramFunctions.hmac(ScramFunctions.sha256(clientKey), authMessage));
        String serverFinal = text(server.serverFinalMessage(
                bytes(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))));
        assertEquals("v=" + Base64.getEncoder().encodeToString(
                ScramFunctions.hmac(ScramFunctions.hmac(salted, "Server Key"), authMessage)), serverFinal);
        assertTrue(server.isComplete());
    }

    @Test
    void ignoresExtensionsBeforeTheProofButSignsThem() {
        // An extension is part of client-final-without-proof; the RFC proof does not cover it, so it fails.
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(bytes("c=biws,r=" + FULL_NONCE + ",x=ext," + PROOF)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "n",
        "n,",
        "x,,n=,r=abc",
        "n,,r=abc",
        "n,,n=,r=",
        "n,,n=,r=has space",
        "n,,m=ext,n=,r=abc",
        "n,,n=,r=abc,",
    })
    void rejectsMalformedClientFirst(String clientFirst) {
        ScramSha256Server server = rfcServer();
        assertThrows(AuthenticationException.class, () -> server.serverFirstMessage(bytes(clientFirst)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "c=biws",
        "c=biws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE,
        "r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + ",c=biws," + PROOF,
        "c=biws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + "," + PROOF + ",x=after",
        "c=b!ws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + "," + PROOF,
        "c=biws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + ",p=not*base64",
    })
    void rejectsMalformedClientFinal(String clientFinal) {
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        assertThrows(AuthenticationException.class, () -> server.serverFinalMessage(bytes(clientFinal)));
        assertFalse(server.isComplete());
    }

    @Test
    void enforcesCallOrder() {
        ScramSha256Server server = rfcServer();
        assertThrows(IllegalStateException.class, () -> server.serverFinalMessage(bytes(RFC_CLIENT_FINAL)));
        server.serverFirstMessage(bytes(RFC_CLIENT_FIRST));
        assertThrows(IllegalStateException.class, () -> server.serverFirstMessage(bytes(RFC_CLIENT_FIRST)));
        server.serverFinalMessage(bytes(RFC_CLIENT_FINAL));
        assertThrows(IllegalStateException.class, () -> server.serverFinalMessage(bytes(RFC_CLIENT_FINAL)));
    }

    @Test
    void isSpentAfterFailure() {
        ScramSha256Server server = rfcServerAwaitingClientFinal();
        assertThrows(AuthenticationException.class, () -> server.serverFinalMessage(bytes("garbage")));
        // Even the right answer is refused now: one guess per exchange.
        assertThrows(IllegalStateException.class, () -> server.serverFinalMessage(bytes(RFC_CLIENT_FINAL)));
        assertFalse(server.isComplete());
    }
}
