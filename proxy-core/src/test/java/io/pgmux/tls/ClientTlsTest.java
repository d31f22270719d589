package io.pgmux.tls;

import static io.pgmux.tls.TlsFixtures.BOTH;
import static io.pgmux.tls.TlsFixtures.clientSide;
import static io.pgmux.tls.TlsFixtures.serverSide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgmux.config.ClientTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.config.TlsProtocol;
import io.pgmux.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context pgmux presents to clients, handshaking in memory with clients of every kind. */
class ClientTlsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates strangers;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir, "pgmux");
        strangers = TestCertificates.create(dir, "other");
    }

    private static SslHandler pgmux(ClientTlsConfig config) {
        return ClientTls.create(config).orElseThrow().newHandler(ByteBufAllocator.DEFAULT);
    }

    /** A client that trusts the test CA, optionally with a certificate, ALPN protocols and protocol versions. */
    private static SslHandler client(Optional<TestCertificates.Pair> cert, List<String> alpn, String... protocols)
            throws IOException {
        SslContextBuilder builder = SslContextBuilder.forClient().trustManager(certs.caCert().toFile())
                .protocols(protocols.length == 0 ? new String[] {"TLSv1.2", "TLSv1.3"} : protocols);
        cert.ifPresent(pair -> builder.keyManager(pair.cert().toFile(), pair.key().toFile()));
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        SslContext context = builder.build();
        return context.newHandler(ByteBufAllocator.DEFAULT, "localhost", 5432);
    }

    @Test
    void disableBuildsNothing() {
        assertEquals(Optional.empty(), ClientTls.create(ClientTlsConfig.disabled()));
    }

    @Test
    void requireServesTheCertificateAndSelectsPostgresqlByAlpn() throws IOException {
        try (Handshake h = Handshake.run(pgmux(clientSide(certs, SslMode.REQUIRE, Optional.empty())),
                client(Optional.empty(), List.of("postgresql")))) {
            assertTrue(h.succeeded(), () -> h.clientFailure().map(Handshake::describe).orElse(""));
            assertEquals("TLSv1.3", h.protocol());
            assertEquals("postgresql", h.serverAlpn());
            assertEquals(Optional.empty(), h.clientCertificate(), "no CA file, so no certificate is asked for");
        }
    }

    @Test
    void aClientWithoutAlpnIsFineButOneOfferingOnlyOtherProtocolsIsRefused() throws IOException {
        try (Handshake h = Handshake.run(pgmux(clientSide(certs, SslMode.PREFER, Optional.empty())),
                client(Optional.empty(), List.of()))) {
            assertTrue(h.succeeded());
            assertEquals(null, h.serverAlpn());
        }
        try (Handshake h = Handshake.run(pgmux(clientSide(certs, SslMode.PREFER, Optional.empty())),
                client(Optional.empty(), List.of("http/1.1")))) {
            assertFalse(h.succeeded(), "PostgreSQL 17 refuses an ALPN offer without postgresql");
        }
    }

    @Test
    void verifyCaDemandsACertificateFromTheConfiguredCa() throws IOException {
        ClientTlsConfig config = clientSide(certs, SslMode.VERIFY_CA, Optional.of(certs.caCert()));
        try (Handshake h = Handshake.run(pgmux(config), client(Optional.empty(), List.of()))) {
            assertFalse(h.succeeded());
            assertTrue(h.serverFailure().isPresent());
        }
        try (Handshake h = Handshake.run(pgmux(config), client(Optional.of(certs.client("api")), List.of()))) {
            assertTrue(h.succeeded(), () -> h.serverFailure().map(Handshake::describe).orElse(""));
            assertEquals("CN=api", h.clientCertificate().orElseThrow().getSubjectX500Principal().getName());
        }
        try (Handshake h = Handshake.run(pgmux(config), client(Optional.of(strangers.client("api")), List.of()))) {
            assertFalse(h.succeeded(), "a certificate from another CA is refused");
        }
    }

    @Test
    void aCaFileAloneMakesCertificatesOptional() throws IOException {
        ClientTlsConfig config = clientSide(certs, SslMode.PREFER, Optional.of(certs.caCert()));
        try (Handshake h = Handshake.run(pgmux(config), client(Optional.empty(), List.of()))) {
            assertTrue(h.succeeded());
            assertEquals(Optional.empty(), h.clientCertificate());
        }
        try (Handshake h = Handshake.run(pgmux(config), client(Optional.of(certs.client("ops")), List.of()))) {
            assertTrue(h.succeeded());
            assertEquals("CN=ops", h.clientCertificate().orElseThrow().getSubjectX500Principal().getName());
        }
    }

    @Test
    void protocolsAreLimitedAsConfigured() throws IOException {
        ClientTlsConfig only13 = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(certs.server().key()), Optional.empty(), Set.of(TlsProtocol.TLS_1_3), List.of());
        try (Handshake h = Handshake.run(pgmux(only13), client(Optional.empty(), List.of(), "TLSv1.2"))) {
            assertFalse(h.succeeded());
        }
        ClientTlsConfig only12 = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(certs.server().key()), Optional.empty(), Set.of(TlsProtocol.TLS_1_2), List.of());
        try (Handshake h = Handshake.run(pgmux(only12), client(Optional.empty(), List.of()))) {
            assertTrue(h.succeeded());
            assertEquals("TLSv1.2", h.protocol());
        }
    }

    @Test
    void cipherSuitesAreLimitedAndUnknownOnesNamed() throws IOException {
        ClientTlsConfig one = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(certs.server().key()), Optional.empty(), BOTH, List.of("TLS_AES_256_GCM_SHA384"));
        try (Handshake h = Handshake.run(pgmux(one), client(Optional.empty(), List.of()))) {
            assertTrue(h.succeeded());
            assertEquals("TLS_AES_256_GCM_SHA384", h.cipherSuite());
        }
        ClientTlsConfig unknown = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(certs.server().key()), Optional.empty(), BOTH, List.of("TLS_NOT_A_SUITE"));
        TlsSetupException e = assertThrows(TlsSetupException.class, () -> ClientTls.create(unknown));
        assertTrue(e.getMessage().startsWith("client_tls_ciphers: not supported by the JDK TLS provider:"
                + " TLS_NOT_A_SUITE"), e.getMessage());
    }

    @Test
    void unusableFilesAreNamed() throws IOException {
        // A key of another certificate: accepted by the TLS library, failing every handshake later.
        ClientTlsConfig swapped = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(strangers.server().key()), Optional.empty(), BOTH, List.of());
        TlsSetupException mismatch = assertThrows(TlsSetupException.class, () -> ClientTls.create(swapped));
        assertEquals("client_tls_cert_file/client_tls_key_file: the private key in " + strangers.server().key()
                + " does not belong to the certificate in " + certs.server().cert(), mismatch.getMessage());

        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        ClientTlsConfig broken = new ClientTlsConfig(SslMode.REQUIRE, Optional.of(certs.server().cert()),
                Optional.of(garbage), Optional.empty(), BOTH, List.of());
        TlsSetupException unreadable = assertThrows(TlsSetupException.class, () -> ClientTls.create(broken));
        assertTrue(unreadable.getMessage().startsWith("client_tls_cert_file/client_tls_key_file: cannot use "),
                unreadable.getMessage());
    }

    @Test
    void theProviderIsTheJdksWithoutTcnative() {
        // netty-all carries no netty-tcnative binaries; pgmux adds none.
        assertEquals(io.netty.handler.ssl.SslProvider.JDK, TlsContexts.provider());
    }

    @Test
    void insecureClientsStillSeeTheServerCertificate() throws Exception {
        SslHandler anyone = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()
                .newHandler(ByteBufAllocator.DEFAULT);
        try (Handshake h = Handshake.run(pgmux(clientSide(certs, SslMode.ALLOW, Optional.empty())), anyone)) {
            assertTrue(h.succeeded());
            assertEquals(Optional.empty(), h.clientCertificate());
        }
        assertEquals(Optional.empty(), serverSide(SslMode.DISABLE, Optional.empty()).caFile());
    }
}
