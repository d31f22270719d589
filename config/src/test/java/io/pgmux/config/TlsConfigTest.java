package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.onlyProblem;
import static io.pgmux.config.TestConfigs.parse;
import static io.pgmux.config.TestConfigs.parseIn;
import static io.pgmux.config.TestConfigs.problems;
import static io.pgmux.config.TestConfigs.problemsIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client_tls_* and server_tls_*: modes, files that must exist and hold the right PEM, and their defaults. */
final class TlsConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        TestConfigs.writePemFiles(dir);
    }

    @Test
    void defaultsAreNoClientTlsAndPreferTowardsServers() {
        PgmuxConfig config = parse("databases: {app: {}}\n");
        assertEquals(ClientTlsConfig.disabled(), config.clientTls());
        assertEquals(SslMode.DISABLE, config.clientTls().sslmode());
        ServerTlsConfig server = config.database("app").orElseThrow().serverTls();
        assertEquals(ServerTlsConfig.defaults(), server);
        assertEquals(SslMode.PREFER, server.sslmode());
        assertTrue(server.sni());
        assertEquals(Set.of(TlsProtocol.TLS_1_2, TlsProtocol.TLS_1_3), server.protocols());
        assertEquals(List.of(), server.ciphers());
        assertFalse(server.verifiesChain());
    }

    @Test
    void clientTlsWithEveryKey() {
        PgmuxConfig config = parseIn(dir, """
                client_tls_sslmode: verify-full
                client_tls_cert_file: server.crt
                client_tls_key_file: server.key
                client_tls_ca_file: ca.crt
                client_tls_protocols: tlsv1.3
                client_tls_ciphers: TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256
                databases: {app: {}}
                """);
        ClientTlsConfig tls = config.clientTls();
        assertEquals(SslMode.VERIFY_FULL, tls.sslmode());
        assertEquals(Optional.of(dir.resolve("server.crt")), tls.certFile());
        assertEquals(Optional.of(dir.resolve("server.key")), tls.keyFile());
        assertEquals(Optional.of(dir.resolve("ca.crt")), tls.caFile());
        assertEquals(Set.of(TlsProtocol.TLS_1_3), tls.protocols());
        assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"), tls.ciphers());
    }

    @Test
    void absolutePathsStayAsWritten() {
        String cert = dir.resolve("server.crt").toString();
        PgmuxConfig config = parseIn(Path.of("/nonexistent"), """
                client_tls_sslmode: require
                client_tls_cert_file: %s
                client_tls_key_file: %s
                databases: {app: {}}
                """.formatted(cert, dir.resolve("server.key")));
        assertEquals(Optional.of(Path.of(cert)), config.clientTls().certFile());
    }

    @Test
    void clientModesNeedTheirFiles() {
        ConfigException e = problemsIn(dir, "client_tls_sslmode: require\ndatabases: {app: {}}\n");
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "client_tls_cert_file", 1, "required: client_tls_sslmode require needs it");
        assertProblem(e, "client_tls_key_file", 1, "required");

        ConfigException verify = problemsIn(dir, """
                client_tls_sslmode: verify-ca
                client_tls_cert_file: server.crt
                client_tls_key_file: server.key
                databases: {app: {}}
                """);
        assertEquals("pgmux.yaml:1: client_tls_ca_file: required: client_tls_sslmode verify-ca checks client"
                + " certificates against it", onlyProblem(verify).toString());
    }

    @Test
    void filesMustBeReadablePemOfTheRightKind() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Files.writeString(dir.resolve("enc.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII\n");
        ConfigException e = problemsIn(dir, """
                client_tls_sslmode: prefer
                client_tls_cert_file: missing.crt
                client_tls_key_file: rsa.key
                client_tls_ca_file: notes.txt
                server_tls_cert_file: server.key
                server_tls_key_file: enc.key
                databases:
                  app: {server_tls_ca_file: .}
                """);
        assertProblem(e, "client_tls_cert_file", 2, "cannot read " + dir.resolve("missing.crt") + ": no such file");
        assertProblem(e, "client_tls_key_file", 3, "holds a key in the traditional OpenSSL form; pgmux reads"
                + " PKCS#8 (-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt");
        assertProblem(e, "client_tls_ca_file", 4, "holds no PEM certificate");
        assertProblem(e, "server_tls_cert_file", 5, "holds no PEM certificate");
        assertProblem(e, "server_tls_key_file", 6, "holds an encrypted key");
        assertProblem(e, "databases.app.server_tls_ca_file", 8, "is a directory");
    }

    @Test
    void modesAndProtocolsAreChecked() {
        ConfigException e = problems("""
                client_tls_sslmode: on
                client_tls_protocols: tlsv1.1,tlsv1.2
                server_tls_protocols: ""
                server_tls_ciphers: HIGH:!aNULL
                databases:
                  app: {server_tls_sslmode: verify, server_tls_sni: maybe}
                """);
        assertProblem(e, "client_tls_sslmode", 1,
                "expected disable, allow, prefer, require, verify-ca or verify-full, got \"on\"");
        assertProblem(e, "client_tls_protocols", 2, "expected a list of tlsv1.2 and tlsv1.3");
        assertProblem(e, "server_tls_protocols", 3, "got \"\"");
        assertProblem(e, "server_tls_ciphers", 4, "expected default, or cipher suite names like"
                + " TLS_AES_128_GCM_SHA256 separated by ':', got \"HIGH:!aNULL\"");
        assertProblem(e, "databases.app.server_tls_sslmode", 6, "got \"verify\"");
        assertProblem(e, "databases.app.server_tls_sni", 6, "expected true or false");
        assertEquals(6, e.problems().size(), e.getMessage());
    }

    @Test
    void protocolListsFollowPgBouncerSyntax() {
        assertEquals(Set.of(TlsProtocol.TLS_1_2, TlsProtocol.TLS_1_3), TlsProtocol.parseList("secure"));
        assertEquals(Set.of(TlsProtocol.TLS_1_2, TlsProtocol.TLS_1_3), TlsProtocol.parseList("TLSv1.2, tlsv1.3"));
        assertEquals(Set.of(TlsProtocol.TLS_1_2), TlsProtocol.parseList("tlsv1.2"));
        assertThrows(IllegalArgumentException.class, () -> TlsProtocol.parseList("all"));
        assertThrows(IllegalArgumentException.class, () -> TlsProtocol.parseList("legacy"));
        assertThrows(IllegalArgumentException.class, () -> TlsProtocol.parseList("tlsv1.0"));
        assertEquals("TLSv1.3", TlsProtocol.TLS_1_3.jdkName());
        assertEquals(List.of(), parse("client_tls_ciphers: default\ndatabases: {app: {}}\n").clientTls().ciphers());
    }

    @Test
    void databaseServerTlsOverridesTheGlobalKeyByKey() {
        PgmuxConfig config = parseIn(dir, """
                server_tls_sslmode: require
                server_tls_ca_file: ca.crt
                server_tls_sni: false
                databases:
                  app: {}
                  managed: {host: db.example.com, server_tls_sslmode: verify-full}
                  local: {server_tls_sslmode: disable, server_tls_protocols: tlsv1.3}
                  mtls: {server_tls_cert_file: server.crt, server_tls_key_file: server.key}
                """);
        ServerTlsConfig app = config.database("app").orElseThrow().serverTls();
        assertEquals(SslMode.REQUIRE, app.sslmode());
        assertTrue(app.verifiesChain(), "require with a CA file checks the chain, as libpq does");
        assertFalse(app.verifiesHostName());
        assertFalse(app.sni());
        assertEquals(config.serverTls(), app);

        ServerTlsConfig managed = config.database("managed").orElseThrow().serverTls();
        assertEquals(SslMode.VERIFY_FULL, managed.sslmode());
        assertEquals(Optional.of(dir.resolve("ca.crt")), managed.caFile());
        assertTrue(managed.verifiesHostName());

        ServerTlsConfig local = config.database("local").orElseThrow().serverTls();
        assertEquals(SslMode.DISABLE, local.sslmode());
        assertEquals(Set.of(TlsProtocol.TLS_1_3), local.protocols());

        ServerTlsConfig mtls = config.database("mtls").orElseThrow().serverTls();
        assertEquals(Optional.of(dir.resolve("server.crt")), mtls.certFile());
        assertEquals(Optional.of(dir.resolve("server.key")), mtls.keyFile());
    }

    @Test
    void serverVerifyCaNeedsACaButVerifyFullMayUseThePublicOnes() {
        ConfigProblem problem = onlyProblem(problems("""
                databases:
                  app: {server_tls_sslmode: verify-ca}
                  public: {server_tls_sslmode: verify-full}
                """));
        assertEquals("databases.app.server_tls_sslmode", problem.path());
        assertTrue(problem.message().startsWith("server_tls_sslmode verify-ca needs server_tls_ca_file"),
                problem.message());
        assertEquals(Optional.empty(), parse("server_tls_sslmode: verify-full\ndatabases: {app: {}}\n")
                .serverTls().caFile());
    }

    @Test
    void serverClientCertificateNeedsItsKey() {
        assertProblem(problemsIn(dir, "server_tls_cert_file: server.crt\ndatabases: {app: {}}\n"),
                "server_tls_cert_file", 1, "a client certificate needs both server_tls_cert_file and"
                        + " server_tls_key_file; server_tls_key_file is not set");
    }

    @Test
    void sslModesKnowWhatTheyDemand() {
        for (SslMode mode : SslMode.values()) {
            assertEquals(mode, SslMode.parse(mode.configName()));
        }
        assertEquals("verify-full", SslMode.VERIFY_FULL.configName());
        assertFalse(SslMode.PREFER.requiresTls());
        assertTrue(SslMode.REQUIRE.requiresTls());
        assertFalse(SslMode.REQUIRE.verifiesCertificate());
        assertTrue(SslMode.VERIFY_CA.verifiesCertificate());
    }
}
