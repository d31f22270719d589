package io.pgmux.auth;

import static io.pgmux.auth.ScramExchangeTest.PG_PENCIL;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_CLIENT_FINAL;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_CLIENT_NONCE;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_SERVER_FINAL;
import static io.pgmux.auth.ScramSha256ClientTest.RFC_SERVER_FIRST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SCRAM passthrough: the ClientKey recovered from a client's proof (RFC 5802 section 3: ClientKey = ClientProof
 * XOR ClientSignature, valid when H(ClientKey) = StoredKey) logs in to a server holding the same verifier, with no
 * password anywhere.
 */
class ScramPassthroughTest {
    /** RFC 7677 section 3: user "user", password "pencil". */
    private static final ScramSecret RFC_SECRET =
            ScramSecret.fromPassword("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    private static final String RFC_CLIENT_FIRST_BARE = "n=user,r=" + RFC_CLIENT_NONCE;
    private static final String RFC_AUTH_MESSAGE = RFC_CLIENT_FIRST_BARE + "," + RFC_SERVER_FIRST + ","
            + RFC_CLIENT_FINAL.substring(0, RFC_CLIENT_FINAL.indexOf(",p="));
    private static final byte[] RFC_PROOF = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recoversTheClientKeyFromTheRfcProof() {
        ScramClientKey key = ScramClientKey.recover(RFC_SECRET, RFC_AUTH_MESSAGE, RFC_PROOF).orElseThrow();
        // The same key as derived from the password: HMAC(SaltedPassword, "Client Key").
        assertArrayEquals(ScramClientKey.fromPassword("pencil", RFC_SECRET).clientKey(), key.clientKey());
        assertArrayEquals(RFC_SECRET.storedKey(), key.storedKey());
        assertArrayEquals(RFC_SECRET.serverKey(), key.serverKey());
        assertArrayEquals(RFC_SECRET.salt(), key.salt());
        assertEquals(4096, key.iterations());
    }

    @Test
    void aClientKeyReproducesTheRfcExchangeWithoutThePassword() {
        ScramClientKey key = ScramClientKey.recover(RFC_SECRET, RFC_AUTH_MESSAGE, RFC_PROOF).orElseThrow();
        ScramSha256Client client = ScramSha256Client.withClientKey(key, "user", RFC_CLIENT_NONCE);
        assertEquals("n,,n=user,r=" + RFC_CLIENT_NONCE, new String(client.clientFirstMessage(),
                StandardCharsets.UTF_8));
        assertEquals(RFC_CLIENT_FINAL, new String(client.clientFinalMessage(bytes(RFC_SERVER_FIRST)),
                StandardCharsets.UTF_8));
        client.verifyServerFinal(bytes(RFC_SERVER_FINAL)); // the ServerKey checks the server
    }

    @Test
    void aWrongProofRecoversNothing() {
        byte[] wrong = RFC_PROOF.clone();
        wrong[0] ^= 1;
        assertEquals(Optional.empty(), ScramClientKey.recover(RFC_SECRET, RFC_AUTH_MESSAGE, wrong));
        assertEquals(Optional.empty(), ScramClientKey.recover(RFC_SECRET, RFC_AUTH_MESSAGE + "x", RFC_PROOF));
        assertEquals(Optional.empty(), ScramClientKey.recover(RFC_SECRET, RFC_AUTH_MESSAGE, new byte[31]));
        assertEquals(Optional.empty(), ScramClientKey.recover(ScramSecret.parse(PG_PENCIL), RFC_AUTH_MESSAGE,
                RFC_PROOF));
    }

    @Test
    void verifierOnlyPgmuxPassesTheClientThroughToAnUpstreamWithTheSameVerifier() {
        // pgmux holds only PostgreSQL's verifier; so does the upstream. The client knows the password.
        ScramSecret verifier = ScramSecret.parse(PG_PENCIL);
        ScramSha256Client app = new ScramSha256Client("pencil");
        ScramSha256Server pgmux = new ScramSha256Server(verifier);
        byte[] pgmuxFinal = pgmux.serverFinalMessage(app.clientFinalMessage(
                pgmux.serverFirstMessage(app.clientFirstMessage())));
        app.verifyServerFinal(pgmuxFinal);

        ScramSha256Client passthrough = ScramSha256Client.withClientKey(pgmux.clientKey());
        ScramSha256Server upstream = new ScramSha256Server(verifier);
        byte[] upstreamFinal = upstream.serverFinalMessage(passthrough.clientFinalMessage(
                upstream.serverFirstMessage(passthrough.clientFirstMessage())));
        assertTrue(upstream.isComplete());
        passthrough.verifyServerFinal(upstreamFinal);
    }

    @Test
    void anUpstreamWithAnotherVerifierIsRefusedBeforeAnyProofIsSent() {
        ScramSecret pgmuxVerifier = ScramSecret.parse(PG_PENCIL);
        ScramClientKey key = ScramClientKey.fromPassword("pencil", pgmuxVerifier);
        // Same password, another salt: what the server holds after the password was set again.
        ScramSha256Server upstream = new ScramSha256Server(ScramSecret.fromPassword("pencil"));
        ScramSha256Client passthrough = ScramSha256Client.withClientKey(key);
        byte[] serverFirst = upstream.serverFirstMessage(passthrough.clientFirstMessage());
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> passthrough.clientFinalMessage(serverFirst));
        assertTrue(e.getMessage().contains("another salt or iteration count"), e.getMessage());
    }

    @Test
    void anImpostorUpstreamWithTheSameSaltIsCaughtByItsSignature() {
        ScramSecret verifier = ScramSecret.parse(PG_PENCIL);
        ScramClientKey key = ScramClientKey.fromPassword("pencil", verifier);
        ScramSecret impostor = ScramSecret.fromPassword("guess", verifier.salt(), verifier.iterations());
        ScramSha256Client passthrough = ScramSha256Client.withClientKey(key);
        ScramSha256Server fake = new ScramSha256Server(impostor);
        byte[] clientFinal = passthrough.clientFinalMessage(fake.serverFirstMessage(passthrough.clientFirstMessage()));
        // The impostor cannot verify the proof, and a signature from its own keys does not fool pgmux.
        assertThrows(AuthenticationException.class, () -> fake.serverFinalMessage(clientFinal));
        byte[] forged = bytes("v=" + Base64.getEncoder().encodeToString(impostor.serverKey()));
        assertThrows(AuthenticationException.class, () -> passthrough.verifyServerFinal(forged));
    }

    @Test
    void theServerHandsOutTheKeyOnlyAfterTheProofVerified() {
        ScramSha256Server server = new ScramSha256Server(ScramSecret.parse(PG_PENCIL));
        assertThrows(IllegalStateException.class, server::clientKey);
        ScramSha256Client wrong = new ScramSha256Client("Pencil");
        byte[] clientFinal = wrong.clientFinalMessage(server.serverFirstMessage(wrong.clientFirstMessage()));
        assertThrows(AuthenticationException.class, () -> server.serverFinalMessage(clientFinal));
        assertThrows(IllegalStateException.class, server::clientKey);
    }

    @Test
    void keysStayOutOfLogs() {
        ScramClientKey key = ScramClientKey.fromPassword("pencil", RFC_SECRET);
        String shown = key.toString();
        assertFalse(shown.contains(Base64.getEncoder().encodeToString(key.clientKey())), shown);
        assertEquals("ScramClientKey[iterations=4096, keys hidden]", shown);
        assertThrows(IllegalArgumentException.class, () -> ScramClientKey.fromPassword("Pencil", RFC_SECRET));
    }
}
