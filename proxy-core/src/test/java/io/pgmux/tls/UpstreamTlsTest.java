package io.pgmux.tls;

import static io.pgmux.tls.TlsFixtures.BOTH;
import static io.pgmux.tls.TlsFixtures.serverSide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** pgmux's side of TLS towards PostgreSQL, with libpq's meaning of each sslmode, handshaking in memory. */
class UpstreamTlsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates strangers;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir, "db");
        strangers = TestCertificates.create(dir, "impostor");
    }

    /** A PostgreSQL-like server presenting {@code authority}'s server certificate. */
    private static SslHandler database(TestCertificates authority, boolean demandClientCertificate)
            throws Exception {
        SslContextBuilder builder = SslContextBuilder.forServer(authority.server().cert().toFile(),
                authority.server().key().toFile());
        if (demandClientCertificate) {
            builder.trustManager(certs.caCert().toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build().newHandler(ByteBufAllocator.DEFAULT);
    }

    private static SslHandler pgmux(ServerTlsConfig config, String host) {
        return UpstreamTls.create(config).orElseThrow().newHandler(ByteBufAllocator.DEFAULT, host, 5432);
    }

    private static boolean connects(ServerTlsConfig config, TestCertificates server, String host) throws Exception {
        try (Handshake h = Handshake.run(database(server, false), pgmux(config, host))) {
            return h.succeeded();
        }
    }

    @Test
    void disableBuildsNothing() {
        assertEquals(Optional.empty(), UpstreamTls.create(serverSide(SslMode.DISABLE, Optional.empty())));
    }

    @ParameterizedTest
    @EnumSource(value = SslMode.class, names = {"ALLOW", "PREFER", "REQUIRE"})
    void encryptingModesCheckNoIdentityWithoutACaFile(SslMode mode) throws Exception {
        ServerTlsConfig config = serverSide(mode, Optional.empty());
        assertTrue(connects(config, certs, "localhost"));
        assertTrue(connects(config, strangers, "wrong.example"), "libpq's " + mode + " accepts any certificate");
    }

    @Test
    void requireWithACaFileChecksTheChainAsLibpqDoes() throws Exception {
        ServerTlsConfig config = serverSide(SslMode.REQUIRE, Optional.of(certs.caCert()));
        assertTrue(connects(config, certs, "wrong.example"), "require never checks the host name");
        assertFalse(connects(config, strangers, "localhost"));
    }

    @Test
    void verifyCaChecksTheChainButNotTheName() throws Exception {
        ServerTlsConfig config = serverSide(SslMode.VERIFY_CA, Optional.of(certs.caCert()));
        assertTrue(connects(config, certs, "wrong.example"));
        try (Handshake h = Handshake.run(database(strangers, false), pgmux(config, "localhost"))) {
            assertFalse(h.succeeded());
            assertTrue(Handshake.describe(h.clientFailure().orElseThrow()).contains("PKIX"),
                    () -> Handshake.describe(h.clientFailure().orElseThrow()));
        }
    }

    @Test
    void verifyFullAlsoChecksTheHostName() throws Exception {
        ServerTlsConfig config = serverSide(SslMode.VERIFY_FULL, Optional.of(certs.caCert()));
        assertTrue(connects(config, certs, "localhost"));
        assertTrue(connects(config, certs, "127.0.0.1"), "an IP subjectAltName matches an IP host");
        assertTrue(connects(config, certs, "::1"));
        try (Handshake h = Handshake.run(database(certs, false), pgmux(config, "db.example.com"))) {
            assertFalse(h.succeeded());
            String reason = Handshake.describe(h.clientFailure().orElseThrow());
            assertTrue(reason.contains("db.example.com"), reason);
        }
        assertFalse(connects(config, strangers, "localhost"));
    }

    @Test
    void verifyFullWithoutACaFileTrustsOnlyTheJdksPublicCas() throws Exception {
        // The test CA is in no public trust store, so the JDK's default trust store must refuse it: proof that the
        // default store is used, not "trust anything".
        assertFalse(connects(serverSide(SslMode.VERIFY_FULL, Optional.empty()), certs, "localhost"));
    }

    @Test
    void sniCarriesTheHostNameUnlessTurnedOffAndNeverAnAddress() throws Exception {
        ServerTlsConfig on = serverSide(SslMode.REQUIRE, Optional.empty());
        try (Handshake h = Handshake.run(database(certs, false), pgmux(on, "localhost"))) {
            assertTrue(h.succeeded());
            assertEquals(Optional.of("localhost"), h.requestedServerName());
        }
        try (Handshake h = Handshake.run(database(certs, false), pgmux(on, "127.0.0.1"))) {
            assertTrue(h.succeeded());
            assertEquals(Optional.empty(), h.requestedServerName());
        }
        ServerTlsConfig off = new ServerTlsConfig(SslMode.REQUIRE, Optional.empty(), Optional.empty(),
                Optional.empty(), false, BOTH, List.of());
        try (Handshake h = Handshake.run(database(certs, false), pgmux(off, "localhost"))) {
            assertTrue(h.succeeded());
            assertEquals(Optional.empty(), h.requestedServerName());
        }
    }

    @Test
    void presentsAClientCertificateWhenConfigured() throws Exception {
        TestCertificates.Pair pgmuxCert = certs.client("pgmux");
        ServerTlsConfig config = new ServerTlsConfig(SslMode.VERIFY_FULL, Optional.of(certs.caCert()),
                Optional.of(pgmuxCert.cert()), Optional.of(pgmuxCert.key()), true, BOTH, List.of());
        try (Handshake h = Handshake.run(database(certs, true), pgmux(config, "localhost"))) {
            assertTrue(h.succeeded(), () -> h.serverFailure().map(Handshake::describe).orElse(""));
            assertEquals("CN=pgmux", h.clientCertificate().orElseThrow().getSubjectX500Principal().getName());
        }
        try (Handshake h = Handshake.run(database(certs, true),
                pgmux(serverSide(SslMode.VERIFY_FULL, Optional.of(certs.caCert())), "localhost"))) {
            assertFalse(h.succeeded(), "a server demanding a client certificate refuses pgmux without one");
        }
    }

    @Test
    void aMismatchedClientKeyIsNamedAtSetup() {
        ServerTlsConfig config = new ServerTlsConfig(SslMode.REQUIRE, Optional.empty(),
                Optional.of(certs.client("pgmux").cert()), Optional.of(strangers.server().key()), true, BOTH,
                List.of());
        TlsSetupException e = assertThrows(TlsSetupException.class, () -> UpstreamTls.create(config));
        assertTrue(e.getMessage().startsWith("server_tls_cert_file/server_tls_key_file: the private key in"),
                e.getMessage());
    }
}
