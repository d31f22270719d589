package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.ScramClient;
import io.pgmux.testing.TestRole;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A SCRAM exchange broken on the wire, against pgmux and side by side against PostgreSQL: a replayed
 * client-final-message, a message cut short, a client that stops in the middle. Each gets a FATAL error (28P01 or
 * 08P01; PostgreSQL calls a foreign nonce a malformed message, pgmux a failed password) and a closed connection,
 * never a hang, and pgmux counts the client out.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScramOnTheWireIT {
    private static final TestRole ROLE = TestRole.SCRAM;

    private final PostgresCluster cluster;

    ScramOnTheWireIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture pgmux() {
        return ProxyFixture.config(cluster).set("client_login_timeout", "2s")
                .user(ROLE.user(), ROLE.password(), ProxyFixture.DEFAULT_TENANT).start();
    }

    /** Up to the server-first-message: returns it. */
    private static String begin(RawPgClient client, ScramClient scram) {
        client.sendStartup(Map.of("user", ROLE.user(), "database", ProxyFixture.APP_DB));
        BackendMessage request = client.expect('R');
        assertEquals(10, request.authCode(), "AuthenticationSASL");
        byte[] first = scram.clientFirstMessage().getBytes(StandardCharsets.UTF_8);
        client.send('p', initialResponse(first));
        BackendMessage cont = client.expect('R');
        assertEquals(11, cont.authCode(), "AuthenticationSASLContinue");
        return saslData(cont);
    }

    private static byte[] initialResponse(byte[] data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((ScramClient.MECHANISM + "\0").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        body.writeBytes(data);
        return body.toByteArray();
    }

    private static String saslData(BackendMessage message) {
        return new String(Arrays.copyOfRange(message.body(), 4, message.body().length), StandardCharsets.UTF_8);
    }

    /** The FATAL error the peer ends with, then its close. */
    private static String refusedAndClosed(RawPgClient client) {
        BackendMessage error = client.expect('E');
        assertEquals("FATAL", error.errorField('V'), error.toString());
        assertTrue(client.isClosedByPeer(Duration.ofSeconds(10)), "the connection is closed after " + error);
        return error.errorField('C');
    }

    @Test
    void aReplayedClientFinalMessageIsRefusedAsByPostgresql() throws Exception {
        try (ProxyFixture proxy = pgmux()) {
            for (int port : new int[] {cluster.port(), proxy.port()}) {
                // A login someone overheard: its client-final-message answers that exchange's nonce only.
                String overheard;
                try (RawPgClient first = RawPgClient.connect(cluster.host(), port)) {
                    ScramClient scram = new ScramClient(ROLE.password());
                    overheard = scram.clientFinalMessage(begin(first, scram));
                    first.send('p', overheard.getBytes(StandardCharsets.UTF_8));
                    BackendMessage last = first.expect('R');
                    assertEquals(12, last.authCode(), "AuthenticationSASLFinal");
                }
                try (RawPgClient replay = RawPgClient.connect(cluster.host(), port)) {
                    begin(replay, new ScramClient("any"));
                    replay.send('p', overheard.getBytes(StandardCharsets.UTF_8));
                    String state = refusedAndClosed(replay);
                    assertTrue(List.of("28P01", "08P01").contains(state), port + ": " + state);
                }
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0, "pgmux counts the clients out");
        }
    }

    @Test
    void aClientFinalMessageCutShortIsRefused() throws Exception {
        try (ProxyFixture proxy = pgmux()) {
            for (int port : new int[] {cluster.port(), proxy.port()}) {
                try (RawPgClient client = RawPgClient.connect(cluster.host(), port)) {
                    ScramClient scram = new ScramClient(ROLE.password());
                    String whole = scram.clientFinalMessage(begin(client, scram));
                    String noProof = whole.substring(0, whole.indexOf(",p="));
                    client.send('p', noProof.getBytes(StandardCharsets.UTF_8));
                    String state = refusedAndClosed(client);
                    assertTrue(List.of("28P01", "08P01").contains(state), port + ": " + state);
                }
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0, "pgmux counts the clients out");
        }
    }

    @Test
    void aSaslInitialResponseShorterThanItsOwnLengthFieldIsAProtocolViolation() throws Exception {
        try (ProxyFixture proxy = pgmux()) {
            for (int port : new int[] {cluster.port(), proxy.port()}) {
                try (RawPgClient client = RawPgClient.connect(cluster.host(), port)) {
                    client.sendStartup(Map.of("user", ROLE.user(), "database", ProxyFixture.APP_DB));
                    assertEquals(10, client.expect('R').authCode());
                    byte[] body = initialResponse("n,,n=,r=abc".getBytes(StandardCharsets.UTF_8));
                    // The data's length field promises 100 bytes more than the message holds.
                    ByteBuffer.wrap(body).putInt(ScramClient.MECHANISM.length() + 1, 111);
                    client.send('p', body);
                    assertEquals("08P01", refusedAndClosed(client), "port " + port);
                }
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0, "pgmux counts the clients out");
        }
    }

    @Test
    void aClientThatStopsInTheMiddleOfAMessageIsFreedByClientLoginTimeout() throws Exception {
        try (ProxyFixture proxy = pgmux();
             RawPgClient client = RawPgClient.connect(cluster.host(), proxy.port())) {
            ScramClient scram = new ScramClient(ROLE.password());
            byte[] last = scram.clientFinalMessage(begin(client, scram)).getBytes(StandardCharsets.UTF_8);
            byte[] header = ByteBuffer.allocate(5).put((byte) 'p').putInt(4 + last.length).array();
            client.sendRaw(header);
            client.sendRaw(Arrays.copyOf(last, last.length / 2));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(15)), "client_login_timeout closes it");
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0, "pgmux counts the client out");
        }
    }

    @Test
    void aClientThatHangsUpInTheMiddleOfTheExchangeLeavesNothingBehind() throws Exception {
        try (ProxyFixture proxy = pgmux()) {
            for (int i = 0; i < 5; i++) {
                try (RawPgClient client = RawPgClient.connect(cluster.host(), proxy.port())) {
                    ScramClient scram = new ScramClient(ROLE.password());
                    byte[] last = scram.clientFinalMessage(begin(client, scram)).getBytes(StandardCharsets.UTF_8);
                    client.sendRaw(ByteBuffer.allocate(5).put((byte) 'p').putInt(4 + last.length).array());
                }
            }
            Await.until(Duration.ofSeconds(10), () -> proxy.server().services().clientCount() == 0, "pgmux counts the clients out");
            assertEquals(0, cluster.countBackends(null, ROLE.user()), "no server for clients that never logged in");
        }
    }
}
