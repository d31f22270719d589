package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScramSha256ClientTest {
    // RFC 7677 section 3.
    static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    static final String RFC_SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    static final String RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    /** As printed in RFC 7677 (and recomputed with Python's hashlib when this test was written). */
    static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ScramSha256Client rfcClient() {
        return new ScramSha256Client("pencil", "user", RFC_CLIENT_NONCE);
    }

    /** A client that has sent its first message and received the RFC server-first-message. */
    private static ScramSha256Client rfcClientAwaitingServerFinal() {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        client.clientFinalMessage(bytes(RFC_SERVER_FIRST));
        return client;
    }

    @Test
    void reproducesRfc7677Vector() {
        ScramSha256Client client = rfcClient();
        assertEquals("n,,n=user,r=" + RFC_CLIENT_NONCE, text(client.clientFirstMessage()));
        assertEquals(RFC_CLIENT_FINAL, text(client.clientFinalMessage(bytes(RFC_SERVER_FIRST))));
        client.verifyServerFinal(bytes(RFC_SERVER_FINAL)); // does not throw
    }

    @Test
    void sendsWhatLibpqSends() {
        ScramSha256Client client = new ScramSha256Client("pencil");
        assertEquals("SCRAM-SHA-256", client.mechanism());
        String first = text(client.clientFirstMessage());
        // gs2 header "n,,", empty username, 18 random bytes of nonce in base64.
        assertTrue(first.matches("n,,n=,r=[A-Za-z0-9+/]{24}"), first);
    }

    @Test
    void noncesAreFreshPerExchange() {
        assertNotEquals(text(new ScramSha256Client("pencil").clientFirstMessage()),
                text(new ScramSha256Client("pencil").clientFirstMessage()));
    }

    @Test
    void usernameVariantIsEscapedAsSaslName() {
        ScramSha256Client client = new ScramSha256Client("pencil", "a,b=c", RFC_CLIENT_NONCE);
        assertEquals("n,,n=a=2Cb=3Dc,r=" + RFC_CLIENT_NONCE, text(client.clientFirstMessage()));
    }

    @Test
    void proofDependsOnClientFirstBare() {
        // Same password, nonce and server reply, but PostgreSQL's empty username: a different proof.
        ScramSha256Client client = new ScramSha256Client("pencil", "", RFC_CLIENT_NONCE);
        assertEquals("n,,n=,r=" + RFC_CLIENT_NONCE, text(client.clientFirstMessage()));
        String clientFinal = text(client.clientFinalMessage(bytes(RFC_SERVER_FIRST)));
        assertTrue(clientFinal.startsWith("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p="));
        assertNotEquals(RFC_CLIENT_FINAL, clientFinal);
    }

    @Test
    void rejectsTamperedServerSignature() {
        ScramSha256Client client = rfcClientAwaitingServerFinal();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.verifyServerFinal(bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")));
        assertTrue(e.getMessage().contains("server signature did not verify"), e.getMessage());
    }

    @Test
    void rejectsTruncatedServerSignature() {
        ScramSha256Client client = rfcClientAwaitingServerFinal();
        assertThrows(AuthenticationException.class, () -> client.verifyServerFinal(bytes("v=6rriTRBi23WpRR/w")));
    }

    @Test
    void surfacesServerError() {
        ScramSha256Client client = rfcClientAwaitingServerFinal();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.verifyServerFinal(bytes("e=invalid-proof")));
        assertEquals("upstream SCRAM authentication failed: invalid-proof", e.getMessage());
    }

    @Test
    void rejectsServerFinalWithoutVerifier() {
        ScramSha256Client client = rfcClientAwaitingServerFinal();
        assertThrows(AuthenticationException.class, () -> client.verifyServerFinal(bytes("x=abc")));
    }

    @Test
    void toleratesServerFinalExtensions() {
        ScramSha256Client client = rfcClientAwaitingServerFinal();
        client.verifyServerFinal(bytes(RFC_SERVER_FINAL + ",x=future"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // nonce that does not start with ours
        "r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        // nonce with no server part: replay protection gone
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        // shorter than ours
        "r=rOprNG,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    })
    void rejectsServerNonceThatDoesNotExtendOurs(String serverFirst) {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.clientFinalMessage(bytes(serverFirst)));
        assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "+4096", "10000001", "99999999999", "abc", ""})
    void rejectsUnusableIterationCounts(String iterations) {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        String serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i="
                + iterations;
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.clientFinalMessage(bytes(serverFirst)));
        assertTrue(e.getMessage().contains("iteration count"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "m=required-ext,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=not*base64,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,junk",
    })
    void rejectsMalformedServerFirst(String serverFirst) {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        assertThrows(AuthenticationException.class, () -> client.clientFinalMessage(bytes(serverFirst)));
    }

    @Test
    void rejectsServerFirstThatIsNotUtf8() {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        assertThrows(AuthenticationException.class,
                () -> client.clientFinalMessage(new byte[] {'r', '=', (byte) 0xC3, '(', ',', 's', '='}));
    }

    @Test
    void toleratesServerFirstExtensions() {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        byte[] clientFinal = client.clientFinalMessage(bytes(RFC_SERVER_FIRST + ",x=future"));
        // The extension is part of the signed AuthMessage, so the proof differs from the RFC's.
        assertTrue(text(clientFinal).startsWith("c=biws,r="));
        assertNotEquals(RFC_CLIENT_FINAL, text(clientFinal));
    }

    @Test
    void enforcesCallOrder() {
        ScramSha256Client client = rfcClient();
        assertThrows(IllegalStateException.class, () -> client.clientFinalMessage(bytes(RFC_SERVER_FIRST)));
        assertThrows(IllegalStateException.class, () -> client.verifyServerFinal(bytes(RFC_SERVER_FINAL)));
        client.clientFirstMessage();
        assertThrows(IllegalStateException.class, client::clientFirstMessage);
    }

    @Test
    void isSpentAfterFailure() {
        ScramSha256Client client = rfcClient();
        client.clientFirstMessage();
        assertThrows(AuthenticationException.class, () -> client.clientFinalMessage(bytes("garbage")));
        assertThrows(IllegalStateException.class, () -> client.clientFinalMessage(bytes(RFC_SERVER_FIRST)));
    }

    @Test
    void rejectsEmptyPassword() {
        assertThrows(IllegalArgumentException.class, () -> new ScramSha256Client(""));
    }

    @Test
    void clientFirstIsPlainAscii() {
        byte[] first = rfcClient().clientFirstMessage();
        assertArrayEquals(("n,,n=user,r=" + RFC_CLIENT_NONCE).getBytes(StandardCharsets.US_ASCII), first);
    }
}
