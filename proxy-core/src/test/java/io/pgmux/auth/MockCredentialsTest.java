package io.pgmux.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MockCredentialsTest {
    private static final byte[] SECRET = new byte[32];
    private static final byte[] OTHER_SECRET = new byte[32];

    static {
        Arrays.fill(OTHER_SECRET, (byte) 1);
    }

    private final MockCredentials mock = new MockCredentials(SECRET);

    @Test
    void aNameGetsTheSameScramSaltEveryTimeAndAnotherNameAnother() {
        assertArrayEquals(mock.scramSecret("nobody").salt(), mock.scramSecret("nobody").salt());
        assertFalse(Arrays.equals(mock.scramSecret("nobody").salt(), mock.scramSecret("nobody2").salt()));
        assertFalse(Arrays.equals(mock.scramSecret("nobody").salt(),
                new MockCredentials(OTHER_SECRET).scramSecret("nobody").salt()), "the salt depends on the secret");
    }

    @Test
    void aMockSecretLooksLikeOneDerivedFromAPasswordByPgmux() {
        ScramSecret mockSecret = mock.scramSecret("nobody");
        ScramSecret real = ScramSecret.fromPassword("pw");
        assertEquals(real.salt().length, mockSecret.salt().length, "PostgreSQL's salt length");
        assertEquals(real.iterations(), mockSecret.iterations(), "the iteration count of real secrets");
        assertEquals(real.storedKey().length, mockSecret.storedKey().length);
    }

    @Test
    void noPasswordMatchesAMockSecret() {
        for (String password : new String[] {"x", "nobody", mock.password("nobody")}) {
            ScramSha256Client client = new ScramSha256Client(password);
            ScramSha256Server server = new ScramSha256Server(mock.scramSecret("nobody"));
            byte[] clientFinal = client.clientFinalMessage(server.serverFirstMessage(client.clientFirstMessage()));
            assertThrows(AuthenticationException.class, () -> server.serverFinalMessage(clientFinal), password);
        }
    }

    @Test
    void theMockPasswordIsStablePerNameAndUnguessable() {
        assertEquals(mock.password("nobody"), mock.password("nobody"));
        assertNotEquals(mock.password("nobody"), mock.password("nobody2"));
        assertEquals(43, mock.password("nobody").length(), "256 bits in base64");
    }
}
