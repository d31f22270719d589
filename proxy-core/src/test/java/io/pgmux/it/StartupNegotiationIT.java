package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.auth.ScramSha256Client;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The startup phase: encryption requests answered 'N' (and what may not follow them), protocol version
 * negotiation, CancelRequest packets, real libpq clients; side by side with PostgreSQL where it is the oracle.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StartupNegotiationIT {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    private static ProxyFixture proxy;
    private static PostgresCluster cluster;

    @BeforeAll
    static void startProxy(PostgresCluster shared) {
        cluster = shared;
        proxy = ProxyFixture.config(shared).poolSize(2).start();
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void sslRequestIsAnsweredNAndTheLoginContinuesInPlaintext() throws Exception {
        try (Probe probe = new Probe()) {
            probe.untyped(ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST).array());
            assertEquals('N', probe.readByte());
            probe.loginAndQuery();
        }
    }

    @Test
    void gssencRequestIsAnsweredNAndTheLoginContinuesInPlaintext() throws Exception {
        try (Probe probe = new Probe()) {
            probe.untyped(ByteBuffer.allocate(8).putInt(8).putInt(GSSENC_REQUEST).array());
            assertEquals('N', probe.readByte());
            probe.loginAndQuery();
        }
    }

    @Test
    void gssencThenSslRequestThenLoginAsLibpqDoesWithBothPreferred() throws Exception {
        try (Probe probe = new Probe()) {
            probe.untyped(ByteBuffer.allocate(8).putInt(8).putInt(GSSENC_REQUEST).array());
            assertEquals('N', probe.readByte());
            probe.untyped(ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST).array());
            assertEquals('N', probe.readByte());
            probe.loginAndQuery();
        }
    }

    /**
     * PostgreSQL answers the SSLRequest, then refuses what was already buffered behind it (CVE-2021-23214): it
     * was sent before the answer, so no TLS could have protected it. Sent as one write, both packets arrive in
     * one read.
     */
    @Test
    void aStartupMessageInTheSamePacketAsAnSslRequestIsRefusedAsOnPostgresql() throws Exception {
        byte[] packet = Wire.concat(request(SSL_REQUEST), appStartup());
        assertAnsweredThenRefusedAsOnPostgresql(packet, "08P01");
    }

    /**
     * The same rule for a GSSENCRequest. Not side by side: the suite's PostgreSQL is built with GSSAPI and answers
     * 'G'; the expected words are PostgreSQL's for the 'N' case (ProcessStartupPacket).
     */
    @Test
    void bytesBehindAGssencRequestAreRefused() throws Exception {
        try (Probe probe = new Probe()) {
            probe.untyped(Wire.concat(request(GSSENC_REQUEST), appStartup()));
            assertEquals('N', probe.readByte(), "the request is answered first");
            Map<Character, String> error = probe.fatalThenClosed();
            assertEquals("08P01", error.get('C'));
            assertEquals("received unencrypted data after GSSAPI encryption request", error.get('M'));
            assertEquals("This could be either a client-software bug or evidence of an attempted man-in-the-middle "
                    + "attack.", error.get('D'));
        }
    }

    @Test
    void twoSslRequestsInOnePacketAreRefusedAsOnPostgresql() throws Exception {
        assertAnsweredThenRefusedAsOnPostgresql(Wire.concat(request(SSL_REQUEST), request(SSL_REQUEST)), "08P01");
    }

    /** A second SSLRequest after the answer to the first reads as protocol 1234.5679, which nobody serves. */
    @Test
    void aSecondSslRequestAfterTheAnswerIsRefusedAsOnPostgresql() throws Exception {
        List<Map<Character, String>> errors = new ArrayList<>();
        for (Probe probe : List.of(new Probe(cluster.host(), cluster.port()), new Probe())) {
            try (probe) {
                probe.untyped(request(SSL_REQUEST));
                assertEquals('N', probe.readByte());
                probe.untyped(request(SSL_REQUEST));
                errors.add(probe.fatalThenClosed());
            }
        }
        assertEquals("0A000", errors.get(1).get('C'));
        assertEquals(errors.get(0), errors.get(1), "PostgreSQL's error, then pgmux's");
    }

    @Test
    void aStartupMessageForProtocol4IsRefusedAsOnPostgresql() throws Exception {
        List<Map<Character, String>> errors = new ArrayList<>();
        for (Probe probe : List.of(new Probe(cluster.host(), cluster.port()), new Probe())) {
            try (probe) {
                probe.untyped(startupPacket(4, 0, Map.of("user", ProxyFixture.APP_USER)));
                errors.add(probe.fatalThenClosed());
            }
        }
        assertEquals("0A000", errors.get(1).get('C'));
        assertEquals(errors.get(0), errors.get(1), "PostgreSQL's error, then pgmux's");
    }

    /**
     * PostgreSQL handles one CancelRequest per connection and reads nothing after it: a second CancelRequest in
     * the same packet, for another session, cancels nothing.
     */
    @Test
    void onlyTheFirstCancelRequestOfAPacketIsHandledAsOnPostgresql() throws Exception {
        assertOnlyTheFirstCancelCounts(cluster.host(), cluster.port(), "direct");
        assertOnlyTheFirstCancelCounts(proxy.host(), proxy.port(), "pgmux");
    }

    private static void assertOnlyTheFirstCancelCounts(String host, int port, String target) throws Exception {
        try (RawPgClient first = RawPgClient.connect(host, port); RawPgClient second = RawPgClient.connect(host, port)) {
            StartupResult a = first.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            StartupResult b = second.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            String tag = "it-two-cancels-" + target;
            first.query("select pg_sleep(30) /* " + tag + " */");
            second.query("select pg_sleep(1) /* " + tag + " */");
            Await.untilChecked(Duration.ofSeconds(10), () -> running(tag) == 2, "both queries running");
            try (RawPgClient cancel = RawPgClient.connect(host, port)) {
                cancel.sendRaw(Wire.concat(cancelRequest(a.pid(), a.secret()), cancelRequest(b.pid(), b.secret())));
                assertTrue(cancel.isClosedByPeer(Duration.ofSeconds(10)), target + ": cancel connection closed");
            }
            List<BackendMessage> cancelled = first.readUntilReady();
            assertEquals("57014", cancelled.stream().filter(m -> m.type() == 'E').findFirst()
                    .orElseThrow(() -> new AssertionError(target + ": not cancelled: " + cancelled)).errorField('C'));
            List<BackendMessage> untouched = second.readUntilReady();
            assertEquals("TDCZ", Raw.types(untouched), target + ": the second CancelRequest cancelled: " + untouched);
        }
    }

    private static int running(String tag) throws java.sql.SQLException {
        try (Connection c = cluster.superuser()) {
            return Integer.parseInt(Sql.one(c, "select count(*) from pg_stat_activity where state = 'active'"
                    + " and query like '%" + tag + "%' and pid <> pg_backend_pid()"));
        }
    }

    private static byte[] cancelRequest(int pid, int secret) {
        return ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(pid).putInt(secret).array();
    }

    /** Sends {@code packet} in one write to PostgreSQL and to pgmux: both answer 'N', then the same FATAL, then close. */
    private static void assertAnsweredThenRefusedAsOnPostgresql(byte[] packet, String sqlState) throws Exception {
        List<Map<Character, String>> errors = new ArrayList<>();
        for (Probe probe : List.of(new Probe(cluster.host(), cluster.port()), new Probe())) {
            try (probe) {
                probe.untyped(packet);
                assertEquals('N', probe.readByte(), "the request is answered first");
                errors.add(probe.fatalThenClosed());
            }
        }
        assertEquals(sqlState, errors.get(1).get('C'), () -> "pgmux: " + errors.get(1));
        assertEquals(errors.get(0), errors.get(1), "PostgreSQL's error, then pgmux's");
    }

    private static byte[] request(int code) {
        return ByteBuffer.allocate(8).putInt(8).putInt(code).array();
    }

    private static byte[] appStartup() {
        return startupPacket(3, 0, Map.of("user", ProxyFixture.APP_USER, "database", ProxyFixture.APP_DB));
    }

    @Test
    void pgjdbcWithSslmodePreferFallsBackToPlaintext() throws Exception {
        Properties prefer = new Properties();
        prefer.setProperty("sslmode", "prefer");
        try (Connection c = proxy.connect(prefer)) {
            assertEquals("ok", Sql.one(c, "select 'ok'"));
        }
    }

    @Test
    void aStartupMessageAskingForProtocol32GetsNegotiateProtocolVersionThenWorks() {
        try (RawPgClient client = proxy.raw()) {
            BackendMessage negotiate = askForProtocol32(client);
            ByteBuffer body = ByteBuffer.wrap(negotiate.body());
            assertEquals(RawPgClient.PROTOCOL_VERSION, body.getInt(), "newest version pgmux speaks: 3.0 as 196608");
            assertEquals(1, body.getInt(), "unrecognised options");
            assertEquals("_pq_.some_option", cstring(body));
            client.authenticate(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
            List<BackendMessage> welcome = client.readUntilReady();
            BackendMessage key = welcome.stream().filter(m -> m.type() == 'K').findFirst().orElseThrow();
            assertEquals(8, key.body().length, "protocol 3.0 BackendKeyData has a 4-byte secret");
            assertEquals("1", Raw.queryOne(client, "select 1"));
        }
    }

    @Test
    void negotiateProtocolVersionIsByteForByteWhatPostgresqlSends() {
        byte[] direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            direct = askForProtocol32(client).body();
            client.authenticate(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
            client.readUntilReady();
        }
        try (RawPgClient client = proxy.raw()) {
            assertEquals(java.util.HexFormat.of().formatHex(direct),
                    java.util.HexFormat.of().formatHex(askForProtocol32(client).body()));
        }
    }

    /** StartupMessage for protocol 3.2 with one protocol option; returns the NegotiateProtocolVersion answer. */
    private static BackendMessage askForProtocol32(RawPgClient client) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", ProxyFixture.APP_USER);
        params.put("database", ProxyFixture.APP_DB);
        params.put("_pq_.some_option", "on");
        client.sendRaw(startupPacket(3, 2, params));
        return client.expect('v');
    }

    @Test
    void aStartupMessageForProtocol2IsRefused() {
        try (RawPgClient client = proxy.raw()) {
            // PostgreSQL's answer, except that pgmux words it in protocol 3 (PostgreSQL in the old format).
            client.sendRaw(startupPacket(2, 0, Map.of("user", ProxyFixture.APP_USER, "database", "app")));
            BackendMessage reply = client.read();
            assertEquals('E', reply.type(), "expected an error, got " + reply);
            assertEquals("0A000", reply.errorField('C'));
            assertEquals("unsupported frontend protocol 2.0: server supports 3.0 to 3.0", reply.errorField('M'));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void psqlWithLibpqDefaultsWorksThroughPgmux() throws Exception {
        Path psql = cluster.binDir() == null ? Path.of("/usr/bin/psql") : Path.of(cluster.binDir(), "psql");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(psql), "no psql");
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", proxy.host(), "-p", Integer.toString(proxy.port()), "-U", ProxyFixture.APP_USER,
                "-d", ProxyFixture.APP_DB,
                "-c", "select 40 + 2", "-c", "select current_setting('application_name')");
        pb.environment().put("PGPASSWORD", ProxyFixture.APP_PASSWORD);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.redirectErrorStream(true);
        Process process = pb.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "psql hung");
        assertEquals(0, process.exitValue(), output);
        assertEquals("42\npsql\n", output);
    }

    private static byte[] startupPacket(int major, int minor, Map<String, String> params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(4).putInt(major << 16 | minor).array());
        params.forEach((k, v) -> {
            body.writeBytes(Wire.cstring(k));
            body.writeBytes(Wire.cstring(v));
        });
        body.write(0);
        byte[] bytes = body.toByteArray();
        return ByteBuffer.allocate(bytes.length + 4).putInt(bytes.length + 4).put(bytes).array();
    }

    private static String cstring(ByteBuffer buffer) {
        int start = buffer.position();
        while (buffer.get() != 0) {
            // scan to the NUL
        }
        return new String(buffer.array(), start, buffer.position() - start - 1, StandardCharsets.UTF_8);
    }

    /**
     * A plain socket for the startup phase, where single-byte answers ('N') come before typed messages. Logs in with
     * SCRAM-SHA-256, using pgmux's own client implementation as the vehicle.
     */
    private static final class Probe implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private final OutputStream out;

        Probe() throws IOException {
            this(proxy.host(), proxy.port());
        }

        Probe(String host, int port) throws IOException {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void untyped(byte[] packet) throws IOException {
            out.write(packet);
            out.flush();
        }

        char readByte() throws IOException {
            return (char) in.readUnsignedByte();
        }

        BackendMessage read() throws IOException {
            char type = (char) in.readUnsignedByte();
            int length = in.readInt();
            byte[] body = new byte[length - 4];
            in.readFully(body);
            return new BackendMessage(type, body);
        }

        /**
         * Reads an ErrorResponse and returns its fields but the ones that name PostgreSQL's source (file, line,
         * routine); then asserts the server closes the connection.
         */
        Map<Character, String> fatalThenClosed() throws IOException {
            BackendMessage error = read();
            assertEquals('E', error.type(), error::toString);
            Map<Character, String> fields = new LinkedHashMap<>(error.errorFields());
            fields.keySet().removeAll(List.of('F', 'L', 'R'));
            assertEquals("FATAL", fields.get('S'), fields::toString);
            assertEquals(-1, in.read(), "closed after the error");
            return fields;
        }

        void send(Wire wire) throws IOException {
            out.write(wire.bytes());
            out.flush();
        }

        void loginAndQuery() throws Exception {
            untyped(startupPacket(3, 0, Map.of("user", ProxyFixture.APP_USER, "database", ProxyFixture.APP_DB)));
            BackendMessage sasl = read();
            assertEquals(10, sasl.authCode(), sasl::toString);
            ScramSha256Client scram = new ScramSha256Client(ProxyFixture.APP_PASSWORD);
            byte[] first = scram.clientFirstMessage();
            send(new Wire().message('p', Wire.concat(Wire.cstring(scram.mechanism()),
                    ByteBuffer.allocate(4).putInt(first.length).array(), first)));
            BackendMessage cont = read();
            assertEquals(11, cont.authCode(), cont::toString);
            byte[] serverFirst = java.util.Arrays.copyOfRange(cont.body(), 4, cont.body().length);
            send(new Wire().message('p', scram.clientFinalMessage(serverFirst)));
            BackendMessage fin = read();
            assertEquals(12, fin.authCode(), fin::toString);
            scram.verifyServerFinal(java.util.Arrays.copyOfRange(fin.body(), 4, fin.body().length));
            assertEquals(0, read().authCode());
            List<Character> types = new ArrayList<>();
            BackendMessage message;
            while ((message = read()).type() != 'Z') {
                types.add(message.type());
            }
            assertTrue(types.contains('K'), "no BackendKeyData: " + types);
            send(new Wire().query("select 'plain'"));
            List<BackendMessage> reply = new ArrayList<>();
            do {
                message = read();
                reply.add(message);
            } while (message.type() != 'Z');
            assertEquals("TDCZ", Raw.types(reply), reply::toString);
            assertEquals(List.of("plain"), reply.get(1).dataRowText());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
