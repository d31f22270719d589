package io.pgmux.auth;

import static io.pgmux.auth.PasswordChallenge.CLEARTEXT;
import static io.pgmux.auth.PasswordChallenge.MD5;
import static io.pgmux.auth.PasswordChallenge.SCRAM_SHA_256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmux.config.AuthType;
import io.pgmux.config.StoredPassword.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The exchange PostgreSQL would run for each method and stored form. */
class PasswordChallengeTest {
    @Test
    void choosesAsPostgresqlDoes() {
        for (Optional<Kind> stored : new Optional[] {Optional.empty(), Optional.of(Kind.PLAINTEXT),
                Optional.of(Kind.MD5), Optional.of(Kind.SCRAM_SHA_256)}) {
            assertEquals(CLEARTEXT, PasswordChallenge.choose(AuthType.PASSWORD, stored));
            assertEquals(SCRAM_SHA_256, PasswordChallenge.choose(AuthType.SCRAM_SHA_256, stored));
        }
        assertEquals(MD5, PasswordChallenge.choose(AuthType.MD5, Optional.of(Kind.PLAINTEXT)));
        assertEquals(MD5, PasswordChallenge.choose(AuthType.MD5, Optional.of(Kind.MD5)));
        // A SCRAM verifier cannot answer md5, so md5 runs SCRAM; so does a user with no password.
        assertEquals(SCRAM_SHA_256, PasswordChallenge.choose(AuthType.MD5, Optional.of(Kind.SCRAM_SHA_256)));
        assertEquals(SCRAM_SHA_256, PasswordChallenge.choose(AuthType.MD5, Optional.empty()));
    }

    @Test
    void methodsWithoutAPasswordHaveNoChallenge() {
        for (AuthType method : new AuthType[] {AuthType.TRUST, AuthType.REJECT, AuthType.CERT}) {
            assertThrows(IllegalArgumentException.class, () -> PasswordChallenge.choose(method, Optional.empty()));
        }
    }

    @Test
    void saysWhyAnExchangeCannotSucceed() {
        assertEquals(Optional.of("User \"api\" does not have a valid SCRAM secret."),
                SCRAM_SHA_256.whyItCannotSucceed("api", Optional.of(Kind.MD5)));
        assertEquals(Optional.of("Role \"ghost\" does not exist or has no password."),
                SCRAM_SHA_256.whyItCannotSucceed("ghost", Optional.empty()));
        assertEquals(Optional.empty(), SCRAM_SHA_256.whyItCannotSucceed("api", Optional.of(Kind.PLAINTEXT)));
        assertEquals(Optional.empty(), SCRAM_SHA_256.whyItCannotSucceed("api", Optional.of(Kind.SCRAM_SHA_256)));
        assertEquals(Optional.empty(), MD5.whyItCannotSucceed("api", Optional.of(Kind.MD5)));
        assertEquals(Optional.empty(), CLEARTEXT.whyItCannotSucceed("api", Optional.of(Kind.SCRAM_SHA_256)));
    }
}
