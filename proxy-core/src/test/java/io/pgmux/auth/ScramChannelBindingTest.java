package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SCRAM-SHA-256-PLUS on pgmux's side, as PostgreSQL's auth-scram.c decides: -PLUS binds to pgmux's certificate
 * hash, a client that thinks pgmux cannot bind is refused where -PLUS was offered, and the mechanism and the gs2
 * flag must agree.
 */
class ScramChannelBindingTest {
    private static final String PASSWORD = "pencil";
    private static final ScramSecret SECRET = ScramSecret.fromPassword(PASSWORD, new byte[] {1, 2, 3, 4}, 4096);
    private static final byte[] CERT_HASH = ScramFunctions.sha256("pgmux's certificate".getBytes(StandardCharsets.UTF_8));
    private static final String PLUS = ScramSha256Server.MECHANISM_PLUS;
    private static final String PLAIN = ScramSha256Client.MECHANISM;

    /** Runs a whole exchange as a client with gs2 header {@code header} binding {@code boundData}. */
    private static byte[] exchange(ScramSha256Server server, String header, byte[] boundData) {
        String clientFirstBare = "n=,r=clientnonce";
        String serverFirst = new String(server.serverFirstMessage(
                (header + clientFirstBare).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        byte[] gs2 = header.getBytes(StandardCharsets.UTF_8);
        byte[] cbind = new byte[gs2.length + boundData.length];
        System.arraycopy(gs2, 0, cbind, 0, gs2.length);
        System.arraycopy(boundData, 0, cbind, gs2.length, boundData.length);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] salted = ScramFunctions.saltedPassword(PASSWORD, SECRET.salt(), SECRET.iterations());
        byte[] clientKey = ScramFunctions.hmac(salted, "Client Key");
        byte[] proof = ScramFunctions.xor(clientKey, ScramFunctions.hmac(ScramFunctions.sha256(clientKey), authMessage));
        return server.serverFinalMessage((withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plusWithTheCertificateHashSucceeds() {
        ScramSha256Server server = new ScramSha256Server(SECRET, PLUS, Optional.of(CERT_HASH));
        exchange(server, "p=tls-server-end-point,,", CERT_HASH);
        assertTrue(server.isComplete());
        assertEquals(PLUS, server.mechanism());
    }

    @Test
    void plusWithAnotherCertificatesHashFailsAsAManInTheMiddleWould() {
        ScramSha256Server server = new ScramSha256Server(SECRET, PLUS, Optional.of(CERT_HASH));
        byte[] other = ScramFunctions.sha256("the relay's certificate".getBytes(StandardCharsets.UTF_8));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> exchange(server, "p=tls-server-end-point,,", other));
        assertTrue(e.getMessage().contains("channel binding check failed"), e.getMessage());
    }

    @Test
    void theUnboundMechanismStillWorksOverTls() {
        ScramSha256Server server = new ScramSha256Server(SECRET, PLAIN, Optional.of(CERT_HASH));
        exchange(server, "n,,", new byte[0]);
        assertTrue(server.isComplete());
    }

    @Test
    void aClientThatThinksPgmuxCannotBindIsRefusedWherePlusWasOffered() {
        ScramSha256Server offered = new ScramSha256Server(SECRET, PLAIN, Optional.of(CERT_HASH));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> exchange(offered, "y,,", new byte[0]));
        assertTrue(e.getMessage().contains("channel binding negotiation error"), e.getMessage());
        // Without TLS nothing was offered, and y is the honest answer.
        ScramSha256Server plain = new ScramSha256Server(SECRET);
        exchange(plain, "y,,", new byte[0]);
        assertTrue(plain.isComplete());
    }

    @Test
    void theMechanismAndTheFlagMustAgree() {
        assertThrows(AuthenticationException.class, () -> exchange(
                new ScramSha256Server(SECRET, PLUS, Optional.of(CERT_HASH)), "n,,", new byte[0]));
        assertThrows(AuthenticationException.class, () -> exchange(
                new ScramSha256Server(SECRET, PLAIN, Optional.of(CERT_HASH)), "p=tls-server-end-point,,", CERT_HASH));
        assertThrows(AuthenticationException.class, () -> exchange(
                new ScramSha256Server(SECRET, PLUS, Optional.of(CERT_HASH)), "p=tls-unique,,", CERT_HASH));
    }

    @Test
    void plusIsRefusedWhereItWasNotOffered() {
        assertThrows(AuthenticationException.class, () -> new ScramSha256Server(SECRET, PLUS, Optional.empty()));
        assertThrows(AuthenticationException.class,
                () -> new ScramSha256Server(SECRET, "SCRAM-SHA-1", Optional.empty()));
    }

    /** pgmux's own client, as it logs in upstream: libpq's channel_binding=prefer. */
    private static ScramSha256Server upstream(ScramSha256Client client, java.util.List<String> offered,
                                              Optional<byte[]> serverHash) {
        ScramSha256Server server = new ScramSha256Server(SECRET, client.mechanism(),
                offered.contains(PLUS) ? serverHash : Optional.empty());
        byte[] serverFirst = server.serverFirstMessage(client.clientFirstMessage());
        byte[] serverFinal = server.serverFinalMessage(client.clientFinalMessage(serverFirst));
        client.verifyServerFinal(serverFinal);
        return server;
    }

    @Test
    void pgmuxBindsUpstreamWhereTheServerOffersPlusOverTls() {
        ScramSha256Client client = new ScramSha256Client(PASSWORD);
        client.bindChannel(Optional.of(CERT_HASH), java.util.List.of(PLUS, PLAIN));
        assertEquals(PLUS, client.mechanism());
        assertTrue(upstream(client, java.util.List.of(PLUS, PLAIN), Optional.of(CERT_HASH)).isComplete());
    }

    @Test
    void pgmuxSaysItCouldBindWhereTheServerOffersNoPlusAndNothingWithoutTls() {
        ScramSha256Client overTls = new ScramSha256Client(PASSWORD);
        overTls.bindChannel(Optional.of(CERT_HASH), java.util.List.of(PLAIN));
        assertEquals(PLAIN, overTls.mechanism());
        assertEquals("y,,", new String(overTls.clientFirstMessage(), StandardCharsets.UTF_8).substring(0, 3));

        ScramSha256Client plain = new ScramSha256Client(PASSWORD);
        plain.bindChannel(Optional.empty(), java.util.List.of(PLUS, PLAIN));
        assertEquals(PLAIN, plain.mechanism());
        assertTrue(upstream(plain, java.util.List.of(PLAIN), Optional.empty()).isComplete());
    }

    @Test
    void aServerBehindARelayWithAnotherCertificateRefusesPgmuxsProof() {
        ScramSha256Client client = new ScramSha256Client(PASSWORD);
        byte[] relayHash = ScramFunctions.sha256("the relay's certificate".getBytes(StandardCharsets.UTF_8));
        client.bindChannel(Optional.of(relayHash), java.util.List.of(PLUS, PLAIN));
        assertThrows(AuthenticationException.class,
                () -> upstream(client, java.util.List.of(PLUS, PLAIN), Optional.of(CERT_HASH)));
    }
}
