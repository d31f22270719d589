package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestCertificates;
import io.pgmux.testing.TestRole;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS on both legs, against a PostgreSQL with {@code ssl = on} and the test CA's certificates: clients over TLS
 * (pgjdbc and psql with each sslmode, client certificates, PostgreSQL 17's direct TLS, bad handshakes), the
 * access rules and methods at login, and pgmux's own server logins with each server_tls_sslmode, including SCRAM
 * passthrough with only a verifier configured.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsIT {
    private static final Path DIR = tempDir();
    private static final TestCertificates CERTS = TestCertificates.create(DIR, "pgmux");
    private static final TestCertificates STRANGERS = TestCertificates.create(DIR, "other");
    private static final String PSQL = "/usr/lib/postgresql/15/bin/psql";

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.withSettings(
            PostgresCluster.Settings.defaults().withMaxConnections(30).withTls(CERTS));

    private final PostgresCluster cluster;

    TlsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("pgmux-tls-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration for the TLS cluster: app_user on database app, with {@code extra} top-level lines. */
    private String yaml(String extra, String users) {
        return "workers: 2\nquery_wait_timeout: 10s\n" + extra
                + "databases:\n  app: {host: " + cluster.host() + ", port: " + cluster.port() + "}\n"
                + "  postgres: {host: " + cluster.host() + ", port: " + cluster.port() + "}\n"
                + "users:\n" + (users.isEmpty() ? "  - {name: app_user, password: app_pw}\n" : users);
    }

    private static String clientTls(String mode) {
        return "client_tls_sslmode: " + mode + "\nclient_tls_cert_file: " + CERTS.server().cert()
                + "\nclient_tls_key_file: " + CERTS.server().key() + "\nclient_tls_ca_file: " + CERTS.caCert() + "\n";
    }

    private static Connection jdbc(ProxyFixture proxy, String user, String password, String database,
                                   String sslmode) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("sslmode", sslmode);
        props.setProperty("sslrootcert", CERTS.caCert().toString());
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + proxy.port() + "/" + database, props);
    }

    private static String one(Connection c, String sql) throws SQLException {
        return Sql.one(c, sql);
    }

    // ---- towards clients ----------------------------------------------------------------------------------------

    @Test
    void requireServesTlsAndRefusesPlaintextWithPostgresqlsMessage() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(yaml(clientTls("require"), ""))) {
            for (String mode : List.of("require", "verify-ca", "verify-full")) {
                try (Connection c = jdbc(proxy, "app_user", "app_pw", "app", mode)) {
                    assertEquals("app_user", one(c, "select current_user"), mode);
                }
            }
            SQLException plain = assertThrows(SQLException.class,
                    () -> jdbc(proxy, "app_user", "app_pw", "app", "disable").close());
            assertEquals("28000", plain.getSQLState());
            assertTrue(plain.getMessage().contains("no pg_hba.conf entry for host \"127.0.0.1\", user \"app_user\","
                    + " database \"app\", no encryption"), plain.getMessage());
            SQLException wrong = assertThrows(SQLException.class,
                    () -> jdbc(proxy, "app_user", "wrong", "app", "require").close());
            assertEquals("28P01", wrong.getSQLState());
        }
    }

    @Test
    void psqlVerifiesTheHostNameAndClientCertificatesLogInByTheirCommonName() throws Exception {
        String hba = "hba:\n  - {type: hostssl, database: all, user: app_user, address: 127.0.0.1/32, method: cert}\n"
                + "  - {type: hostssl, database: all, user: all, address: all, method: scram-sha-256}\n";
        try (ProxyFixture proxy = ProxyFixture.start(yaml(clientTls("prefer") + hba,
                "  - {name: app_user, password: app_pw}\n  - {name: scram_user, password: scram_pw}\n"))) {
            TestCertificates.Pair right = privateKey(CERTS.client("app_user"));
            TestCertificates.Pair otherName = privateKey(CERTS.client("someone_else"));
            TestCertificates.Pair otherCa = privateKey(STRANGERS.client("app_user"));
            String base = "host=localhost hostaddr=127.0.0.1 port=" + proxy.port() + " dbname=app sslrootcert="
                    + CERTS.caCert();
            Psql ok = psql(base + " user=app_user sslmode=verify-full sslcert=" + right.cert()
                    + " sslkey=" + right.key(), Map.of());
            assertEquals(0, ok.exitCode(), ok.output());
            assertTrue(ok.output().contains("app_user"), ok.output());

            Psql cn = psql(base + " user=app_user sslmode=require sslcert=" + otherName.cert()
                    + " sslkey=" + otherName.key(), Map.of());
            assertTrue(cn.output().contains("certificate authentication failed for user \"app_user\""), cn.output());
            Psql ca = psql(base + " user=app_user sslmode=require sslcert=" + otherCa.cert()
                    + " sslkey=" + otherCa.key(), Map.of());
            assertTrue(ca.exitCode() != 0, ca.output());
            Psql none = psql(base + " user=app_user sslmode=require", Map.of());
            assertTrue(none.output().contains("connection requires a valid client certificate"), none.output());

            Psql wrongHost = psql("host=wrong.example hostaddr=127.0.0.1 port=" + proxy.port()
                    + " dbname=app user=scram_user sslmode=verify-full sslrootcert=" + CERTS.caCert(),
                    Map.of("PGPASSWORD", "scram_pw"));
            assertTrue(wrongHost.output().contains("does not match host name \"wrong.example\""), wrongHost.output());
            Psql scram = psql(base + " user=scram_user sslmode=verify-full",
                    Map.of("PGPASSWORD", "scram_pw"));
            assertEquals(0, scram.exitCode(), scram.output());
            Psql plain = psql(base + " user=scram_user sslmode=disable",
                    Map.of("PGPASSWORD", "scram_pw"));
            assertTrue(plain.output().contains("no pg_hba.conf entry"), plain.output());
        }
    }

    /**
     * SCRAM-SHA-256-PLUS: over TLS pgmux offers channel binding to its certificate, so clients that require it log
     * in, as they do directly against PostgreSQL; without TLS there is nothing to bind to and libpq refuses by
     * itself, as it does against PostgreSQL.
     */
    @Test
    void channelBindingRequireLogsInOverTlsAsDirectly() throws Exception {
        String users = "  - {name: scram_user, password: scram_pw}\n";
        try (ProxyFixture proxy = ProxyFixture.start(yaml(clientTls("prefer"), users))) {
            Map<String, String> right = Map.of("PGPASSWORD", "scram_pw");
            for (int port : new int[] {cluster.port(), proxy.port()}) {
                String base = "host=localhost hostaddr=127.0.0.1 port=" + port + " dbname=app user=scram_user";
                Psql bound = psql(base + " sslmode=require channel_binding=require", right);
                assertEquals(0, bound.exitCode(), port + ": " + bound.output());
                assertTrue(bound.output().contains("scram_user"), bound.output());
                Psql plain = psql(base + " sslmode=disable channel_binding=require", right);
                assertTrue(plain.exitCode() != 0 && plain.output().contains("channel binding required"),
                        port + ": " + plain.output());
                Psql wrong = psql(base + " sslmode=require channel_binding=require", Map.of("PGPASSWORD", "wrong"));
                assertTrue(wrong.output().contains("password authentication failed for user \"scram_user\""),
                        port + ": " + wrong.output());
            }
            Properties props = new Properties();
            props.setProperty("user", "scram_user");
            props.setProperty("password", "scram_pw");
            props.setProperty("sslmode", "require");
            props.setProperty("channelBinding", "require");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + proxy.port() + "/app",
                    props)) {
                assertEquals("scram_user", one(c, "select current_user"));
            }
        } finally {
            cluster.terminateBackends(null, "scram_user");
        }
    }

    @Test
    void directTlsNeedsAlpnPostgresqlAndBadHandshakesCloseTheConnection() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(yaml(clientTls("require"), ""))) {
            try (SSLSocket socket = direct(proxy, List.of("postgresql"))) {
                startup(socket.getOutputStream(), "app_user", "app");
                DataInputStream in = new DataInputStream(socket.getInputStream());
                assertEquals('R', in.readByte(), "an authentication request over direct TLS");
            }
            try (SSLSocket socket = direct(proxy, List.of())) {
                startup(socket.getOutputStream(), "app_user", "app");
                String answer = readAll(socket);
                assertTrue(answer.contains("without ALPN"), answer);
            }
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f});
                assertEquals('S', socket.getInputStream().read());
                socket.getOutputStream().write("this is not a TLS record at all".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, drain(socket), "garbage inside TLS closes the connection");
            }
        }
        try (ProxyFixture proxy = ProxyFixture.start(yaml("", ""))) {
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(new byte[] {0x16, 3, 1, 0, 0x40, 1, 0, 0, 0x3c, 3, 3});
                assertEquals(-1, drain(socket), "a ClientHello without client TLS is refused and closed");
            }
        }
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsFreedByClientLoginTimeout() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(yaml(clientTls("require") + "client_login_timeout: 1s\n", ""))) {
            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f});
                assertEquals('S', socket.getInputStream().read());
                assertEquals(-1, drain(socket), "closed by client_login_timeout");
            }
        }
    }

    // ---- towards servers ----------------------------------------------------------------------------------------

    @Test
    void eachServerSslmodeAgainstAServerWithTls() throws Exception {
        Map<String, String> expected = Map.of("disable", "f", "allow", "f", "prefer", "t", "require", "t",
                "verify-ca", "t", "verify-full", "t");
        for (Map.Entry<String, String> each : expected.entrySet()) {
            String tls = "server_tls_sslmode: " + each.getKey() + "\nserver_tls_ca_file: " + CERTS.caCert() + "\n";
            try (ProxyFixture proxy = ProxyFixture.start(yaml(tls, ""));
                 Connection c = proxy.connect("app_user", "app_pw", "app")) {
                assertEquals(each.getValue(), one(c, "select ssl::text::char from pg_stat_ssl"
                        + " where pid = pg_backend_pid()"), each.getKey());
            }
        }
    }

    /**
     * A CA file that did not issue the database's certificate: the client is told which check failed and what to
     * set, as the log is, not the JDK's internals or that the database refused the login.
     */
    @Test
    void aServerCertificateFromAnotherCaSaysWhichFileToFix() throws Exception {
        String wrongCa = "server_tls_sslmode: verify-ca\nserver_tls_ca_file: " + STRANGERS.caCert() + "\n";
        try (ProxyFixture proxy = ProxyFixture.start(yaml(wrongCa, ""))) {
            SQLException e = assertThrows(SQLException.class, () -> proxy.connect("app_user", "app_pw", "app").close());
            assertEquals("08001", e.getSQLState(), e.toString());
            org.postgresql.util.ServerErrorMessage error = ((org.postgresql.util.PSQLException) e)
                    .getServerErrorMessage();
            assertEquals("could not verify the server certificate of " + cluster.host() + ":" + cluster.port()
                    + ": no certificate in server_tls_ca_file (" + STRANGERS.caCert() + ") signed it",
                    error.getMessage());
            assertTrue(error.getDetail().contains("was issued by \"CN=pgmux test CA\""), error.getDetail());
            assertTrue(error.getHint().startsWith("Set server_tls_ca_file to the certificate of the CA that issued"),
                    error.getHint());
        }
    }

    @Test
    void verifyFullRefusesAServerCertificateForAnotherHostName() throws Exception {
        // The certificate names localhost and 127.0.0.1; 127.0.0.2 (a relay to the same server) is another name.
        try (java.net.ServerSocket relay = new java.net.ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.2"))) {
            Thread pump = new Thread(() -> relay(relay), "tls-it-relay");
            pump.setDaemon(true);
            pump.start();
            String yaml = "workers: 2\nquery_wait_timeout: 5s\nserver_tls_sslmode: verify-full\nserver_tls_ca_file: "
                    + CERTS.caCert() + "\ndatabases:\n  app: {host: 127.0.0.2, port: " + relay.getLocalPort() + "}\n"
                    + "users:\n  - {name: app_user, password: app_pw}\n";
            try (ProxyFixture proxy = ProxyFixture.start(yaml)) {
                SQLException e = assertThrows(SQLException.class,
                        () -> proxy.connect("app_user", "app_pw", "app").close());
                assertEquals("server certificate for \"localhost\" (and 2 other names) does not match host name"
                        + " \"127.0.0.2\"", ((org.postgresql.util.PSQLException) e).getServerErrorMessage()
                        .getMessage());
            }
        }
    }

    /** Forwards each connection accepted on {@code listener} to the cluster, byte for byte, until it is closed. */
    private void relay(java.net.ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket(cluster.host(), cluster.port());
                for (Socket[] pair : List.of(new Socket[] {in, out}, new Socket[] {out, in})) {
                    Thread copy = new Thread(() -> {
                        try (Socket from = pair[0]; Socket to = pair[1]) {
                            from.getInputStream().transferTo(to.getOutputStream());
                        } catch (IOException closed) {
                            // one side left: both close
                        }
                    }, "tls-it-copy");
                    copy.setDaemon(true);
                    copy.start();
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Test
    void scramPassthroughWithOnlyTheVerifierOpensNoServerForAWrongPassword() throws Exception {
        String verifier;
        try (Connection su = cluster.superuser()) {
            verifier = one(su, "select rolpassword from pg_authid where rolname = 'scram_user'");
        }
        String users = "  - {name: scram_user, password: '" + verifier + "'}\n";
        try (ProxyFixture proxy = ProxyFixture.start(yaml("server_tls_sslmode: require\n", users))) {
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect("scram_user", "wrong", "app").close());
            assertEquals("28P01", wrong.getSQLState());
            assertEquals(0, cluster.countBackends(null, "scram_user"), "no server for an unauthenticated client");
            try (Connection c = proxy.connect("scram_user", "scram_pw", "app")) {
                assertEquals("scram_user", one(c, "select current_user"));
                assertEquals("t", one(c, "select ssl::text::char from pg_stat_ssl where pid = pg_backend_pid()"));
            }
        } finally {
            cluster.terminateBackends(null, "scram_user");
        }
    }

    @Test
    void storedMd5HashesAnswerMd5OnBothLegs() throws Exception {
        String hash = io.pgmux.auth.Md5Password.hash(TestRole.MD5.user(), TestRole.MD5.password()).hash();
        String users = "  - {name: md5_user, password: " + hash + ", auth_type: md5}\n";
        try (ProxyFixture proxy = ProxyFixture.start(yaml("", users));
             Connection c = proxy.connect("md5_user", "md5_pw", "app")) {
            assertEquals("md5_user", one(c, "select current_user"));
        } finally {
            cluster.terminateBackends(null, "md5_user");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** libpq refuses a key file others may read. */
    private static TestCertificates.Pair privateKey(TestCertificates.Pair pair) throws IOException {
        Files.setPosixFilePermissions(pair.key(), PosixFilePermissions.fromString("rw-------"));
        return pair;
    }

    /** What psql printed (standard output and error together) and its exit code. */
    private record Psql(int exitCode, String output) {
    }

    private static Psql psql(String conninfo, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of(PSQL, "-X", "-A", "-t", "-w", "-c", "select current_user",
                conninfo));
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        builder.environment().put("PGSSLCERT", "/nonexistent");
        builder.environment().put("PGSSLKEY", "/nonexistent");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Psql(process.exitValue(), output);
    }

    private static SSLSocket direct(ProxyFixture proxy, List<String> alpn) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", TestCertificates.load(CERTS.caCert()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", proxy.port());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn.toArray(new String[0]));
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static void startup(OutputStream out, String user, String database) throws IOException {
        byte[] body = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        byte[] packet = new byte[8 + body.length];
        int length = packet.length;
        packet[0] = (byte) (length >>> 24);
        packet[1] = (byte) (length >>> 16);
        packet[2] = (byte) (length >>> 8);
        packet[3] = (byte) length;
        packet[5] = 3;
        System.arraycopy(body, 0, packet, 8, body.length);
        out.write(packet);
        out.flush();
    }

    private static String readAll(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Reads until the peer closes; -1 then (an exception from a reset counts as closed too). */
    private static int drain(Socket socket) {
        try {
            while (socket.getInputStream().read() >= 0) {
                // an ErrorResponse, or TLS alerts
            }
            return -1;
        } catch (IOException closed) {
            return closed instanceof java.net.SocketTimeoutException ? 0 : -1;
        }
    }
}
