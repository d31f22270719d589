package io.pgmux.tls;

import static io.pgmux.tls.TlsFixtures.serverSide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.testing.TestCertificates;
import io.pgmux.tls.ServerCertificateException.Fault;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refused server certificate, handshaking in memory against certificates made for the case: which check failed,
 * and the message, detail and hint that name what to fix, never the JDK's internals.
 */
class ServerCertificateExceptionTest {
    private static final String ADDRESS = "127.0.0.1:5432";

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates strangers;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir, "db");
        strangers = TestCertificates.create(dir, "impostor");
    }

    /** What pgmux, connecting to {@code host} with {@code config}, reports of a server presenting {@code cert}. */
    private static ServerCertificateException refusal(ServerTlsConfig config, TestCertificates.Pair cert, String host)
            throws Exception {
        SslHandler database = SslContextBuilder.forServer(cert.cert().toFile(), cert.key().toFile()).build()
                .newHandler(ByteBufAllocator.DEFAULT);
        SslHandler pgmux = UpstreamTls.create(config).orElseThrow().newHandler(ByteBufAllocator.DEFAULT, host, 5432);
        try (Handshake h = Handshake.run(database, pgmux)) {
            assertFalse(h.succeeded());
            Throwable failure = h.clientFailure().orElseThrow();
            return ServerCertificateException.in(failure).orElseThrow(
                    () -> new AssertionError("no ServerCertificateException in " + Handshake.describe(failure)));
        }
    }

    private static void assertNoJavaInternals(ServerCertificateException e) {
        for (String text : new String[] {e.message(ADDRESS), e.detail(), e.hint()}) {
            assertFalse(text.contains("sun.") || text.contains("PKIX") || text.contains("Exception"), text);
        }
    }

    @Test
    void aCertificateNoConfiguredCaSignedNamesTheCaFileAndItsIssuer() throws Exception {
        Path ca = certs.caCert();
        ServerCertificateException e = refusal(serverSide(SslMode.VERIFY_FULL, Optional.of(ca)),
                strangers.server(), "localhost");
        assertEquals(Fault.UNTRUSTED, e.fault());
        assertEquals("could not verify the server certificate of 127.0.0.1:5432: no certificate in server_tls_ca_file ("
                + ca + ") signed it", e.message(ADDRESS));
        assertEquals("The certificate \"CN=localhost\" was issued by \"CN=impostor test CA\".", e.detail());
        assertEquals("Set server_tls_ca_file to the certificate of the CA that issued the database's certificate"
                + " (PostgreSQL's ssl_cert_file); server_tls_sslmode verify-ca and verify-full accept no other.",
                e.hint());
        assertNoJavaInternals(e);
    }

    @Test
    void withoutACaFileTheJavaRuntimesCasAreNamed() throws Exception {
        ServerCertificateException e = refusal(serverSide(SslMode.VERIFY_CA, Optional.empty()), certs.server(),
                "localhost");
        assertEquals(Fault.UNTRUSTED, e.fault());
        assertEquals("could not verify the server certificate of 127.0.0.1:5432: no CA the Java runtime trusts"
                + " signed it", e.message(ADDRESS));
        assertTrue(e.hint().startsWith("Set server_tls_ca_file to "), e.hint());
    }

    @Test
    void aCertificateForAnotherHostSaysSoInLibpqsWords() throws Exception {
        ServerCertificateException e = refusal(serverSide(SslMode.VERIFY_FULL, Optional.of(certs.caCert())),
                certs.server(), "db.example.com");
        assertEquals(Fault.HOST_MISMATCH, e.fault());
        assertEquals("server certificate for \"localhost\" (and 2 other names) does not match host name"
                + " \"db.example.com\"", e.message(ADDRESS));
        assertEquals("The certificate \"CN=localhost\" names localhost, 127.0.0.1, 0:0:0:0:0:0:0:1.", e.detail());
        assertEquals("Connect by a name the certificate carries (the database's host), or give the server a"
                + " certificate that names \"db.example.com\"; server_tls_sslmode verify-ca checks the issuer but not"
                + " the name.", e.hint());
        assertNoJavaInternals(e);
    }

    @Test
    void aChainFaultComesBeforeTheName() throws Exception {
        // Both wrong: as with OpenSSL, the chain is what fails first.
        ServerCertificateException e = refusal(serverSide(SslMode.VERIFY_FULL, Optional.of(certs.caCert())),
                strangers.server(), "db.example.com");
        assertEquals(Fault.UNTRUSTED, e.fault());
    }

    @Test
    void anExpiredCertificateSaysWhenItExpired() throws Exception {
        TestCertificates.Pair expired = certs.expiredServer();
        ServerCertificateException e = refusal(serverSide(SslMode.VERIFY_CA, Optional.of(certs.caCert())), expired,
                "localhost");
        assertEquals(Fault.EXPIRED, e.fault());
        assertEquals("could not verify the server certificate of 127.0.0.1:5432: certificate has expired",
                e.message(ADDRESS));
        assertTrue(e.detail().matches("The certificate \"CN=localhost\" expired at \\d{4}-\\d\\d-\\d\\d"
                + " \\d\\d:\\d\\d:\\d\\d UTC\\."), e.detail());
        assertTrue(e.hint().startsWith("Renew the expired certificate (the database's certificate (PostgreSQL's"
                + " ssl_cert_file), or the CA certificate that issued it)"), e.hint());
        assertNoJavaInternals(e);
    }

    @Test
    void aCertificateNotValidYetPointsAtTheClock() {
        ServerCertificateException e = new ServerCertificateException(Fault.NOT_YET_VALID,
                TestCertificates.load(certs.server().cert()), "localhost", TrustedCas.serverTls(Optional.empty()),
                null);
        assertEquals("could not verify the server certificate of 127.0.0.1:5432: certificate is not yet valid",
                e.message(ADDRESS));
        assertTrue(e.detail().startsWith("The certificate \"CN=localhost\" is valid from "), e.detail());
        assertTrue(e.hint().startsWith("Check that this host's clock is right"), e.hint());
    }

    @Test
    void aCertificateWithoutSubjectAltNamesIsMatchedByItsCommonName() {
        // The CA certificate has no subjectAltName: libpq then compares the CN.
        assertEquals(java.util.List.of("db test CA"), ServerCertificateException.names(
                TestCertificates.load(certs.caCert())));
    }
}
