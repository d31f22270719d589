package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.onlyProblem;
import static io.pgmux.config.TestConfigs.parse;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth_type at every level, the password forms in users, and who a server connection logs in as. */
final class AuthSettingsTest {
    private static final String PG_PENCIL = StoredPasswordTest.PG_PENCIL;

    @Test
    void authTypeTakesEveryMethodAndTheMostSpecificWins() {
        PgmuxConfig config = parse("""
                auth_type: md5
                allow_password_without_tls: true
                databases:
                  app: {auth_type: password}
                  other: {}
                users:
                  - {name: ops, auth_type: trust}
                  - {name: gone, auth_type: reject}
                  - {name: api}
                """);
        assertEquals(AuthType.TRUST, config.authTypeFor("app", "ops"));
        assertEquals(AuthType.REJECT, config.authTypeFor("other", "gone"));
        assertEquals(AuthType.PASSWORD, config.authTypeFor("app", "api"));
        assertEquals(AuthType.MD5, config.authTypeFor("other", "api"));
        assertEquals(AuthType.MD5, config.authTypeFor("other", "someone-from-auth-query"));
        assertTrue(config.allowPasswordWithoutTls());
    }

    @Test
    void defaultsKeepScramAndRefuseCleartextWithoutTls() {
        PgmuxConfig config = parse("databases: {app: {}}\n");
        assertEquals(AuthType.SCRAM_SHA_256, config.authTypeFor("app", "anyone"));
        assertFalse(config.allowPasswordWithoutTls());
        assertEquals(Optional.empty(), config.hba());
    }

    @Test
    void passwordMethodWithoutAnyTlsIsAnErrorWhereverItIsWritten() {
        ConfigException e = problems("""
                auth_type: password
                databases:
                  app: {auth_type: password}
                users:
                  - {name: api, auth_type: password}
                  - {name: ok, auth_type: md5}
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "auth_type", 1, "set allow_password_without_tls: true");
        assertProblem(e, "databases.app.auth_type", 3, "cleartext");
        assertProblem(e, "users[0].auth_type", 5, "client_tls_sslmode disable");
    }

    @Test
    void certMethodNeedsClientCertificates() {
        ConfigException e = problems("databases: {app: {}}\nusers: [{name: api, auth_type: cert}]\n");
        assertEquals("pgmux.yaml:2: users[0].auth_type: cert authentication needs client certificates: set"
                + " client_tls_sslmode (not disable), its certificate and key, and client_tls_ca_file (the CA that"
                + " signs client certificates)", onlyProblem(e).toString());
    }

    @Test
    void certMethodWithClientCaIsAccepted(@TempDir Path dir) throws IOException {
        TestConfigs.writePemFiles(dir);
        PgmuxConfig config = TestConfigs.parseIn(dir, """
                auth_type: cert
                client_tls_sslmode: prefer
                client_tls_cert_file: server.crt
                client_tls_key_file: server.key
                client_tls_ca_file: ca.crt
                databases: {app: {}}
                """);
        assertEquals(AuthType.CERT, config.authTypeFor("app", "anyone"));
    }

    @Test
    void userPasswordsMayBeAnyFormAndBadVerifiersAreReportedWithoutQuotingThem() {
        PgmuxConfig config = parse("""
                databases: {app: {}}
                users:
                  - {name: plain, password: pencil}
                  - {name: hashed, password: md5d4350290006a60f4f340de539f4c7f88}
                  - name: verified
                    password: "%s"
                """.formatted(PG_PENCIL));
        assertEquals(StoredPassword.Kind.PLAINTEXT, kindOf(config, "plain"));
        assertEquals(StoredPassword.Kind.MD5, kindOf(config, "hashed"));
        assertEquals(StoredPassword.Kind.SCRAM_SHA_256, kindOf(config, "verified"));
        assertEquals(Optional.of(PG_PENCIL), config.user("verified").orElseThrow().password());

        String damaged = PG_PENCIL.substring(0, PG_PENCIL.length() - 10);
        ConfigException e = problems("""
                databases: {app: {}}
                users:
                  - name: verified
                    password: "%s"
                  - {name: empty, password: ""}
                """.formatted(damaged));
        assertEquals(2, e.problems().size(), e.getMessage());
        ConfigProblem bad = assertProblem(e, "users[0].password", 4, "malformed SCRAM-SHA-256 verifier");
        assertFalse(bad.toString().contains("w4Csh"), bad.toString());
        assertProblem(e, "users[1].password", 5, "must not be empty");
    }

    @Test
    void verifierFromTheEnvironmentIsCheckedToo() {
        ConfigException e = problems("""
                databases: {app: {}}
                users: [{name: api, password: "${API_VERIFIER}"}]
                """, Map.of("API_VERIFIER", "SCRAM-SHA-256$4096:nope"));
        assertProblem(e, "users[0].password", 2, "malformed SCRAM-SHA-256 verifier");
        assertFalse(e.getMessage().contains("nope"));
    }

    @Test
    void serverSidePasswordsCannotBeVerifiers() {
        ConfigException e = problems("""
                databases:
                  app: {user: owner, password: "%s"}
                users:
                  - {name: api, server_password: "%s"}
                """.formatted(PG_PENCIL, PG_PENCIL));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.password", 2, "a SCRAM verifier cannot log in to a server");
        assertProblem(e, "users[0].server_password", 4, "a SCRAM verifier cannot log in to a server");
        assertFalse(e.getMessage().contains("w4Csh"));
    }

    @Test
    void upstreamLoginPrefersTheUsersServerRoleThenTheForcedUserThenTheClientsOwn() {
        PgmuxConfig config = parse("""
                databases:
                  app: {}
                  forced: {user: owner, password: owner-pw}
                users:
                  - {name: api, password: api-pw, server_user: api_rw, server_password: rw-pw}
                  - {name: rotated, password: "%s", server_password: real-pw}
                  - {name: bare, server_user: reader}
                  - {name: verified, password: "%s"}
                  - {name: plain, password: plain-pw}
                """.formatted(PG_PENCIL, PG_PENCIL));
        assertEquals(new UpstreamLogin("api_rw", Optional.of("rw-pw")), config.upstreamLoginFor("forced", "api"));
        assertEquals(new UpstreamLogin("rotated", Optional.of("real-pw")), config.upstreamLoginFor("app", "rotated"));
        assertEquals(new UpstreamLogin("reader", Optional.empty()), config.upstreamLoginFor("app", "bare"));
        assertEquals(new UpstreamLogin("owner", Optional.of("owner-pw")), config.upstreamLoginFor("forced", "plain"));
        assertEquals(new UpstreamLogin("plain", Optional.of("plain-pw")), config.upstreamLoginFor("app", "plain"));
        assertEquals(new UpstreamLogin("stranger", Optional.empty()), config.upstreamLoginFor("app", "stranger"));

        assertTrue(config.upstreamLoginFor("app", "verified").needsScramPassthrough());
        assertFalse(config.upstreamLoginFor("app", "rotated").needsScramPassthrough());
        assertFalse(config.upstreamLoginFor("app", "plain").needsScramPassthrough());
        assertFalse(config.upstreamLoginFor("app", "stranger").needsScramPassthrough());
    }

    private static StoredPassword.Kind kindOf(PgmuxConfig config, String user) {
        return config.user(user).orElseThrow().storedPassword().orElseThrow().kind();
    }
}
