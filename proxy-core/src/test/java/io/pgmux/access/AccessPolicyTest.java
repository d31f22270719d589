package io.pgmux.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.AuthType;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ConnectionEncryption;
import io.pgmux.protocol.PgError;
import io.pgmux.testing.TestCertificates;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a login attempt is decided, and PostgreSQL's words for each refusal. */
class AccessPolicyTest {
    @TempDir
    static Path dir;
    static X509Certificate apiCert;
    static X509Certificate opsCert;
    /** The client_tls_* file settings, for configurations that turn client TLS on. */
    static String tlsKeys;

    @BeforeAll
    static void certificates() {
        TestCertificates certs = TestCertificates.create(dir, "access");
        apiCert = TestCertificates.load(certs.client("api").cert());
        opsCert = TestCertificates.load(certs.client("ops").cert());
        tlsKeys = "client_tls_cert_file: " + certs.server().cert() + "\nclient_tls_key_file: "
                + certs.server().key() + "\nclient_tls_ca_file: " + certs.caCert() + "\n";
    }

    private static AccessPolicy policy(String yaml) {
        return new AccessPolicy(ConfigLoader.parse(yaml, "test.yaml", Map.of()));
    }

    private static LoginAttempt plain(String address, String database, String user) throws Exception {
        return new LoginAttempt(ConnectionEncryption.NONE, InetAddress.getByName(address), database, user,
                Optional.empty());
    }

    private static LoginAttempt tls(String address, String database, String user, X509Certificate cert)
            throws Exception {
        return new LoginAttempt(ConnectionEncryption.TLS, InetAddress.getByName(address), database, user,
                Optional.ofNullable(cert));
    }

    private static PgError refusal(AccessDecision decision) {
        return assertInstanceOf(AccessDecision.Refuse.class, decision).error();
    }

    @Test
    void withoutRulesTheMostSpecificAuthTypeApplies() throws Exception {
        AccessPolicy policy = policy("""
                databases: {app: {auth_type: md5}, other: {}}
                users: [{name: ops, auth_type: trust}]
                """);
        assertEquals(new AccessDecision.Challenge(AuthType.SCRAM_SHA_256, "auth_type scram-sha-256 of the"
                + " configuration"), policy.decide(plain("10.0.0.1", "other", "api")));
        assertEquals(new AccessDecision.Challenge(AuthType.MD5, "auth_type md5 of database app"),
                policy.decide(plain("10.0.0.1", "app", "api")));
        assertEquals(new AccessDecision.Proceed(AuthType.TRUST, "auth_type trust of user ops"),
                policy.decide(plain("10.0.0.1", "app", "ops")));
    }

    @Test
    void noMatchingRuleIsRefusedInPostgresqlsWords() throws Exception {
        AccessPolicy policy = policy("""
                databases: {app: {}}
                hba: [{type: host, database: app, user: api, address: 10.0.0.0/8, method: scram-sha-256}]
                """);
        assertEquals(new AccessDecision.Challenge(AuthType.SCRAM_SHA_256, "test.yaml line 2"),
                policy.decide(plain("10.1.2.3", "app", "api")));
        PgError error = refusal(policy.decide(plain("192.0.2.7", "app", "api")));
        assertEquals(PgError.fatal("28000", "no pg_hba.conf entry for host \"192.0.2.7\", user \"api\", database"
                + " \"app\", no encryption"), error);
        assertEquals("no pg_hba.conf entry for host \"::1\", user \"bob\", database \"app\", no encryption",
                refusal(policy.decide(plain("::1", "app", "bob"))).message());
    }

    @Test
    void rejectRulesAndAuthTypeRejectUsePostgresqlsRejectMessage() throws Exception {
        AccessPolicy rules = policy("""
                databases: {app: {}}
                hba: [{type: host, database: all, user: gone, address: all, method: reject}]
                """);
        assertEquals(PgError.fatal("28000", "pg_hba.conf rejects connection for host \"2001:db8::5\", user"
                + " \"gone\", database \"app\", no encryption"), refusal(rules.decide(plain("2001:db8::5", "app",
                "gone"))));
        AccessPolicy authType = policy("databases: {app: {}}\nusers: [{name: gone, auth_type: reject}]\n");
        assertEquals("28000", refusal(authType.decide(plain("10.0.0.1", "app", "gone"))).sqlState());
    }

    @Test
    void clientTlsRequireRefusesPlaintextClientsAsAHostsslServerWould() throws Exception {
        AccessPolicy policy = policy("client_tls_sslmode: require\n" + tlsKeys + "databases: {app: {}}\n");
        assertEquals("no pg_hba.conf entry for host \"10.0.0.1\", user \"api\", database \"app\", no encryption",
                refusal(policy.decide(plain("10.0.0.1", "app", "api"))).message());
        assertInstanceOf(AccessDecision.Challenge.class, policy.decide(tls("10.0.0.1", "app", "api", null)));
    }

    @Test
    void overTlsTheMessageSaysSslEncryption() throws Exception {
        AccessPolicy policy = policy("client_tls_sslmode: prefer\n" + tlsKeys + """
                databases: {app: {}}
                hba: [{type: hostnossl, database: all, user: all, address: all, method: md5}]
                """);
        assertEquals("no pg_hba.conf entry for host \"10.0.0.1\", user \"api\", database \"app\", SSL encryption",
                refusal(policy.decide(tls("10.0.0.1", "app", "api", null))).message());
    }

    @Test
    void cleartextPasswordsNeedTlsUnlessAllowed() throws Exception {
        String yaml = "client_tls_sslmode: prefer\n" + tlsKeys + "auth_type: password\ndatabases: {app: {}}\n";
        AccessPolicy strict = policy(yaml);
        PgError error = refusal(strict.decide(plain("10.0.0.1", "app", "api")));
        assertEquals("28000", error.sqlState());
        assertEquals("password authentication for user \"api\" requires an encrypted connection", error.message());
        assertEquals(new AccessDecision.Challenge(AuthType.PASSWORD, "auth_type password of the configuration"),
                strict.decide(tls("10.0.0.1", "app", "api", null)));
        AccessPolicy relaxed = policy(yaml + "allow_password_without_tls: true\n");
        assertInstanceOf(AccessDecision.Challenge.class, relaxed.decide(plain("10.0.0.1", "app", "api")));
    }

    @Test
    void certNeedsACertificateNamingTheUser() throws Exception {
        AccessPolicy policy = policy("client_tls_sslmode: prefer\n" + tlsKeys + """
                databases: {app: {}}
                hba: [{type: hostssl, database: all, user: all, address: all, method: cert}]
                """);
        assertEquals(new AccessDecision.Proceed(AuthType.CERT, "test.yaml line 6"),
                policy.decide(tls("10.0.0.1", "app", "api", apiCert)));
        assertEquals(PgError.fatal("28000", "connection requires a valid client certificate"),
                refusal(policy.decide(tls("10.0.0.1", "app", "api", null))));
        assertEquals(PgError.fatal("28000", "certificate authentication failed for user \"api\""),
                refusal(policy.decide(tls("10.0.0.1", "app", "api", opsCert))));
        assertEquals(PgError.fatal("28000", "certificate authentication failed for user \"API\""),
                refusal(policy.decide(tls("10.0.0.1", "app", "API", apiCert))), "user names are case-sensitive");
    }

    @Test
    void certAsAuthTypeRefusesPlaintextClients() throws Exception {
        AccessPolicy policy = policy("client_tls_sslmode: prefer\n" + tlsKeys
                + "auth_type: cert\ndatabases: {app: {}}\n");
        assertEquals("connection requires a valid client certificate",
                refusal(policy.decide(plain("10.0.0.1", "app", "api"))).message());
    }

    @Test
    void verifyFullMakesTheCertificateNameTheUserForEveryMethod() throws Exception {
        AccessPolicy policy = policy("client_tls_sslmode: verify-full\n" + tlsKeys + "databases: {app: {}}\n");
        assertEquals(new AccessDecision.Challenge(AuthType.SCRAM_SHA_256, "auth_type scram-sha-256 of the"
                + " configuration"), policy.decide(tls("10.0.0.1", "app", "api", apiCert)));
        assertEquals(PgError.fatal("28000", "certificate validation (clientcert=verify-full) failed for user"
                + " \"ops\": CN mismatch"), refusal(policy.decide(tls("10.0.0.1", "app", "ops", apiCert))));
    }

    @Test
    void aWrongPasswordIsPostgresqlsOneAnswer() {
        assertEquals(PgError.fatal("28P01", "password authentication failed for user \"api\""),
                AccessErrors.passwordFailed("api"));
    }

    @Test
    void readsTheCommonName() {
        assertEquals(Optional.of("api"), ClientCertificates.commonName(apiCert));
        assertTrue(ClientCertificates.namesUser(opsCert, "ops"));
        assertFalse(ClientCertificates.namesUser(opsCert, "op"));
    }

    @Test
    void aCertificateComesOnlyWithTls() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new LoginAttempt(
                ConnectionEncryption.NONE, InetAddress.getByName("10.0.0.1"), "app", "api", Optional.of(apiCert)));
    }

    @Test
    void decisionsCheckTheirMethod() {
        assertThrows(IllegalArgumentException.class,
                () -> new AccessDecision.Proceed(AuthType.MD5, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> new AccessDecision.Challenge(AuthType.TRUST, "x"));
    }
}
