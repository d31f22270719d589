package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * pgmux's SCRAM logins upstream with a plaintext password derive its keys (PBKDF2) once per server salt and reuse
 * them: a server connection's login then costs HMACs only.
 */
class DerivedKeysTest {
    @Test
    void keysAreDerivedOncePerPasswordSaltAndIterationCount() {
        ScramKeys keys = new ScramKeys();
        AtomicInteger derivations = new AtomicInteger();
        byte[] salt = {1, 2, 3};
        java.util.function.Supplier<byte[][]> derive = () -> {
            derivations.incrementAndGet();
            return new byte[][] {{1}, {2}};
        };
        keys.derivedKeys("pw", salt, 4096, derive);
        keys.derivedKeys("pw", salt.clone(), 4096, derive);
        assertEquals(1, derivations.get());
        keys.derivedKeys("pw", salt, 4097, derive);
        keys.derivedKeys("pw", new byte[] {9}, 4096, derive);
        keys.derivedKeys("other", salt, 4096, derive);
        assertEquals(4, derivations.get());
    }

    @Test
    void aClientWithCachedKeysLogsInAgainAndAgain() {
        ScramSecret secret = ScramSecret.fromPassword("s3cret");
        ScramKeys keys = new ScramKeys();
        for (int i = 0; i < 3; i++) {
            ScramSha256Client client = ScramSha256Client.withPassword("s3cret", keys);
            ScramSha256Server server = new ScramSha256Server(secret);
            byte[] serverFirst = server.serverFirstMessage(client.clientFirstMessage());
            byte[] serverFinal = server.serverFinalMessage(client.clientFinalMessage(serverFirst));
            client.verifyServerFinal(serverFinal);
            assertTrue(server.isComplete());
        }
    }
}
