package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client and server classes talking to each other, in PostgreSQL's message form. */
class ScramExchangeTest {
    /**
     * Secrets PostgreSQL 15 stored in pg_authid for {@code CREATE ROLE ... PASSWORD '<password>'}; they pin the
     * secret format, PBKDF2 with UTF-8 and SASLprep to what the real server does.
     */
    static final String PG_PENCIL = "SCRAM-SHA-256$4096:w4CshlNTbN6fOyyVZ54UYw==$"
            + "qXy+pwNz3Gv3lw2w4X0REAZoAARtBFYnLy9ZgzDWzMA=:/RfbFSOrmYVlhqSVCc5QKirVsUfUhzrTfb4++JsNLUw=";
    /** Password E'p\u00e4ssw\u00f6rd' (precomposed, NFC). */
    static final String PG_NFC = "SCRAM-SHA-256$4096:s65w/9amKRJSJNglBqLsVA==$"
            + "QdIma3RlJaql/Mb1v5n9OLNLqc+JWDOru9sPNMm+ChA=:YGN6HG27hxweCa2IWDMrZQjIa1hvo4UICFnoyWdoezA=";
    /** Password E'pa\u0308sswo\u0308rd' (combining diaeresis, NFD). */
    static final String PG_NFD = "SCRAM-SHA-256$4096:PshwF4+BQr2hKai92S7yAQ==$"
            + "ecTIzSw+jr+8lTZBe5h9DH0WtEs/y1BJlGBVmnf6rXk=:SIarN6xC8CEgO5lc3UizqYDt0CkRVIIZOUaIHGQMyfk=";
    /** Password E'a\u00a0b\u00adc\uff21': no-break space, soft hyphen, fullwidth A; SASLprep gives "a bcA". */
    static final String PG_MAPPED = "SCRAM-SHA-256$4096:SAQysxylCcUIu8TI8bCQ8g==$"
            + "CUsUdJkurzKOB9F9y5gBk9FQxZ9oTCtK00kxIXzEuaY=:AvUDMN2l2J3joNQbTfUF+L+SI7S+qjpDcCB5bxX4yrc=";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Runs a whole exchange, throwing whatever either side throws. */
    private static void login(String password, ScramSecret secret) {
        ScramSha256Client client = new ScramSha256Client(password);
        ScramSha256Server server = new ScramSha256Server(secret);
        byte[] serverFirst = server.serverFirstMessage(client.clientFirstMessage());
        byte[] serverFinal = server.serverFinalMessage(client.clientFinalMessage(serverFirst));
        assertTrue(server.isComplete());
        client.verifyServerFinal(serverFinal);
    }

    @Test
    void rightPasswordSucceeds() {
        login("correct horse battery staple", ScramSecret.fromPassword("correct horse battery staple"));
    }

    @Test
    void wrongPasswordFailsAtTheServer() {
        ScramSha256Client client = new ScramSha256Client("wrong");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("right"));
        byte[] clientFinal = client.clientFinalMessage(server.serverFirstMessage(client.clientFirstMessage()));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(clientFinal));
        assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
        assertFalse(server.isComplete());
    }

    @Test
    void serverErrorSurfacesAtTheClient() {
        // What an RFC server answers instead of v= when the proof is wrong.
        ScramSha256Client client = new ScramSha256Client("wrong");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("right"));
        client.clientFinalMessage(server.serverFirstMessage(client.clientFirstMessage()));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.verifyServerFinal(bytes("e=invalid-proof")));
        assertTrue(e.getMessage().endsWith("invalid-proof"), e.getMessage());
    }

    @Test
    void tamperedServerNonceIsCaughtByTheServer() {
        // A man in the middle rewrites the server's half of the nonce: the client cannot tell, the server can.
        ScramSha256Client client = new ScramSha256Client("pw");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("pw"));
        String serverFirst = text(server.serverFirstMessage(client.clientFirstMessage()));
        String tampered = serverFirst.replaceFirst(",s=", "X,s=");
        byte[] clientFinal = client.clientFinalMessage(bytes(tampered));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> server.serverFinalMessage(clientFinal));
        assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void tamperedClientNonceIsCaughtByTheClient() {
        ScramSha256Client client = new ScramSha256Client("pw");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("pw"));
        String serverFirst = text(server.serverFirstMessage(client.clientFirstMessage()));
        // Replace the nonce's first character with a different one (a fixed letter would match it now and then).
        char other = serverFirst.charAt(2) == 'X' ? 'Y' : 'X';
        String tampered = "r=" + other + serverFirst.substring(3);
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.clientFinalMessage(bytes(tampered)));
        assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    }

    @Test
    void tamperedSaltMakesTheProofFail() {
        ScramSha256Client client = new ScramSha256Client("pw");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("pw", new byte[] {1, 2, 3}, 4096));
        String serverFirst = text(server.serverFirstMessage(client.clientFirstMessage()));
        byte[] clientFinal = client.clientFinalMessage(bytes(serverFirst.replace(",s=AQID,", ",s=AQIE,")));
        assertThrows(AuthenticationException.class, () -> server.serverFinalMessage(clientFinal));
    }

    @Test
    void tamperedServerSignatureIsCaughtByTheClient() {
        ScramSha256Client client = new ScramSha256Client("pw");
        ScramSha256Server server = new ScramSha256Server(ScramSecret.fromPassword("pw"));
        byte[] serverFinal = server.serverFinalMessage(
                client.clientFinalMessage(server.serverFirstMessage(client.clientFirstMessage())));
        serverFinal[2] = (byte) (serverFinal[2] == 'A' ? 'B' : 'A'); // still base64, another signature
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> client.verifyServerFinal(serverFinal));
        assertEquals("upstream SCRAM server signature did not verify; the server does not know the password,"
                + " or something between pgmux and it is impersonating it", e.getMessage());
    }

    @Test
    void impostorServerWithAnotherSecretIsCaught() {
        // An impostor that knows salt and iteration count but not the password: it cannot even accept the proof,
        // and a signature computed from its own secret does not fool the client.
        ScramSecret real = ScramSecret.fromPassword("pw");
        ScramSecret fake = ScramSecret.fromPassword("guess", real.salt(), real.iterations());
        ScramSha256Client client = new ScramSha256Client("pw");
        ScramSha256Server impostor = new ScramSha256Server(fake);
        byte[] clientFinal = client.clientFinalMessage(impostor.serverFirstMessage(client.clientFirstMessage()));
        assertThrows(AuthenticationException.class, () -> impostor.serverFinalMessage(clientFinal));
        byte[] forged = bytes("v=" + java.util.Base64.getEncoder().encodeToString(fake.serverKey()));
        assertThrows(AuthenticationException.class, () -> client.verifyServerFinal(forged));
    }

    @ParameterizedTest
    @CsvSource({
        "pencil, " + PG_PENCIL,
        "p\u00e4ssw\u00f6rd, " + PG_NFC,
        "pa\u0308sswo\u0308rd, " + PG_NFC,
        "p\u00e4ssw\u00f6rd, " + PG_NFD,
        "a\u00a0b\u00adc\uff21, " + PG_MAPPED,
        "a bcA, " + PG_MAPPED,
    })
    void logsInAgainstSecretsPostgresqlMade(String password, String secret) {
        login(password, ScramSecret.parse(secret));
    }

    @ParameterizedTest
    @CsvSource({
        "pencil, " + PG_PENCIL,
        "pa\u0308sswo\u0308rd, " + PG_NFD,
        "a\u00a0b\u00adc\uff21, " + PG_MAPPED,
    })
    void derivesTheSecretsPostgresqlMade(String password, String secret) {
        ScramSecret fromPostgres = ScramSecret.parse(secret);
        assertEquals(fromPostgres,
                ScramSecret.fromPassword(password, fromPostgres.salt(), fromPostgres.iterations()));
    }

    @Test
    void wrongPasswordFailsAgainstPostgresqlSecret() {
        assertThrows(AuthenticationException.class, () -> login("Pencil", ScramSecret.parse(PG_PENCIL)));
    }
}
