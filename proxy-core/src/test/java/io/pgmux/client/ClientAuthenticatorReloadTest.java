package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.auth.AuthenticationException;
import io.pgmux.auth.ScramKeys;
import io.pgmux.auth.ScramSecret;
import io.pgmux.auth.ScramSha256Client;
import io.pgmux.auth.ScramSha256Server;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reload derives SCRAM secrets only for plaintext passwords that changed: each derivation is a PBKDF2 run of
 * PostgreSQL's 4096 iterations, a few milliseconds, paid per user at every RELOAD or SIGHUP otherwise.
 */
class ClientAuthenticatorReloadTest {
    private static PgmuxConfig config(String alice, String bob) {
        return ConfigLoader.parse("databases:\n  app: {host: 127.0.0.1, port: 1}\n"
                + "users:\n  - {name: alice, password: '" + alice + "'}\n  - {name: bob, password: '" + bob + "'}\n",
                "test.yaml", Map.of());
    }

    /** A whole SCRAM exchange of {@code password} against {@code secret}; throws when it fails. */
    private static void login(String password, ScramSecret secret) {
        ScramSha256Client client = new ScramSha256Client(password);
        ScramSha256Server server = new ScramSha256Server(secret);
        byte[] serverFirst = server.serverFirstMessage(client.clientFirstMessage());
        client.verifyServerFinal(server.serverFinalMessage(client.clientFinalMessage(serverFirst)));
    }

    @Test
    void anUnchangedPasswordKeepsItsSecretAndAChangedOneGetsANewOne() {
        ClientAuthenticator before = new ClientAuthenticator(config("alice-1", "bob-1"), new ScramKeys());
        ClientAuthenticator after = before.reloaded(config("alice-1", "bob-2"));

        assertSame(before.scramSecret("alice").orElseThrow(), after.scramSecret("alice").orElseThrow());
        ScramSecret bob = after.scramSecret("bob").orElseThrow();
        assertNotSame(before.scramSecret("bob").orElseThrow(), bob);
        login("bob-2", bob);
        assertThrows(AuthenticationException.class, () -> login("bob-1", bob));
    }

    @Test
    void aPasswordReplacedByAVerifierOrRemovedKeepsNothingOfTheOldOne() {
        String verifier = ScramSecret.fromPassword("alice-2").toString();
        ClientAuthenticator before = new ClientAuthenticator(config("alice-1", "bob-1"), new ScramKeys());
        ClientAuthenticator after = before.reloaded(ConfigLoader.parse("databases:\n  app: {host: 127.0.0.1, port: 1}\n"
                + "users:\n  - {name: alice, password: '" + verifier + "'}\n  - {name: bob}\n", "test.yaml", Map.of()));

        login("alice-2", after.scramSecret("alice").orElseThrow());
        assertFalse(after.scramSecret("bob").isPresent());
        ClientAuthenticator back = after.reloaded(config("alice-1", "bob-1"));
        login("alice-1", back.scramSecret("alice").orElseThrow());
        login("bob-1", back.scramSecret("bob").orElseThrow());
    }
}
