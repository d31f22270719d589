package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What misbehaving or mistaken clients are told, and that each such client's trouble stays its own: a bystander
 * logged in before it keeps working after it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientErrorsIT {
    private static ProxyFixture proxy;
    private static PostgresCluster cluster;
    private RawPgClient bystander;

    @BeforeAll
    static void startProxy(PostgresCluster shared) {
        cluster = shared;
        // 1kB, the smallest max_message_size allowed; it applies to the server side too, so keep answers small.
        proxy = ProxyFixture.config(shared).poolSize(2).set("max_message_size", "1kB").start();
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void bystanderLogsIn() {
        bystander = proxy.rawLogin();
        assertEquals("before", Raw.queryOne(bystander, "select 'before'"));
    }

    @AfterEach
    void bystanderStillWorks() {
        try {
            assertEquals("after", Raw.queryOne(bystander, "select 'after'"));
        } finally {
            bystander.close();
        }
    }

    @Test
    void unknownDatabaseIs3D000() {
        SQLException e = assertThrows(SQLException.class,
                () -> proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "no_such_db").close());
        assertEquals("3D000", e.getSQLState(), e.toString());
    }

    @Test
    void unknownUserIs28P01() {
        SQLException e = assertThrows(SQLException.class, () -> proxy.connect("nobody", "pw", "app").close());
        assertEquals("28P01", e.getSQLState(), e.toString());
    }

    @Test
    void wrongPasswordIs28P01() {
        SQLException e = assertThrows(SQLException.class,
                () -> proxy.connect(ProxyFixture.APP_USER, "wrong", "app").close());
        assertEquals("28P01", e.getSQLState(), e.toString());
    }

    @Test
    void wrongPasswordOnTheRawProtocolIs28P01AndClosed() {
        try (RawPgClient client = proxy.raw()) {
            RawPgClient.ServerError e = assertThrows(RawPgClient.ServerError.class,
                    () -> client.login(ProxyFixture.APP_USER, "app", "wrong", null));
            assertEquals("28P01", e.sqlState());
            assertEquals("FATAL", e.error().errorField('S'));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anUnknownMessageTypeAfterLoginIsFatal08P01AndCloses() {
        try (RawPgClient client = proxy.rawLogin()) {
            client.send((char) 0x01, new byte[0]);
            Raw.expectFatal(client, "08P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    /** PostgreSQL reads the type byte first and refuses an unknown one there; it never waits for the body. */
    @Test
    void anUnknownMessageTypeWithAPlausibleLengthFailsAtItsTypeByteAsOnPostgresql() {
        byte[] header = ByteBuffer.allocate(5).put((byte) 0x01).putInt(1000).array();
        try (RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port());
             RawPgClient client = proxy.rawLogin()) {
            direct.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            direct.sendRaw(header);
            client.sendRaw(header);
            assertSameFatal(Raw.expectFatal(direct, "08P01"), Raw.expectFatal(client, "08P01"));
            assertTrue(direct.isClosedByPeer(Duration.ofSeconds(5)));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    /** While a password is asked for, PostgreSQL accepts only a password message and refuses others at once. */
    @Test
    void anotherMessageThanAPasswordDuringTheLoginFailsAtItsTypeByteAsOnPostgresql() {
        byte[] header = ByteBuffer.allocate(5).put((byte) 'Q').putInt(1000).array();
        try (RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port());
             RawPgClient client = proxy.raw()) {
            for (RawPgClient each : List.of(direct, client)) {
                each.sendStartup(Map.of("user", ProxyFixture.APP_USER, "database", ProxyFixture.APP_DB));
                assertEquals(10, each.expect('R').authCode(), "SASL authentication asked for");
                each.sendRaw(header);
            }
            assertSameFatal(Raw.expectFatal(direct, "08P01"), Raw.expectFatal(client, "08P01"));
            assertTrue(direct.isClosedByPeer(Duration.ofSeconds(5)));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    /** The same error as PostgreSQL's: pgmux may add the type byte as a character, in parentheses. */
    private static void assertSameFatal(BackendMessage direct, BackendMessage pgmux) {
        String expected = direct.errorField('M');
        String actual = pgmux.errorField('M');
        assertTrue(actual.equals(expected) || actual.startsWith(expected + " ("),
                "PostgreSQL: " + expected + ", pgmux: " + actual);
    }

    @Test
    void aMessageLengthBelowFourIsFatal08P01AndCloses() {
        try (RawPgClient client = proxy.rawLogin()) {
            client.sendRaw(ByteBuffer.allocate(5).put((byte) 'Q').putInt(2).array());
            Raw.expectFatal(client, "08P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aMessageLongerThanMaxMessageSizeIsFatal08P01AndCloses() {
        try (RawPgClient client = proxy.rawLogin()) {
            client.query("select '" + "x".repeat(2048) + "'");
            Raw.expectFatal(client, "08P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aMessageJustUnderMaxMessageSizeIsServed() {
        try (RawPgClient client = proxy.rawLogin()) {
            // 'Q' + length + "select '" + 900 x + "'" + NUL stays below 1024 bytes, and so does the answer.
            String value = "y".repeat(900);
            assertEquals(value, Raw.queryOne(client, "select '" + value + "'"));
        }
    }

    @Test
    void aFrontendMessageTypeTheServerWouldSendIsFatal08P01() {
        try (RawPgClient client = proxy.rawLogin()) {
            client.send('Z', new byte[] {'I'});
            Raw.expectFatal(client, "08P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aQueryBeforeTheStartupMessageIsRefused() {
        try (RawPgClient client = proxy.raw()) {
            // A typed Query where the StartupMessage belongs reads as a startup packet of absurd length.
            client.query("select 1");
            BackendMessage error = client.expect('E');
            assertEquals("08P01", error.errorField('C'), error::toString);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    /**
     * A length word and a code no valid packet has together (here 100 bytes of protocol 4.0) are refused as soon as
     * they have arrived, with PostgreSQL's error for the version; PostgreSQL itself would read the body first.
     */
    @Test
    void aStartupPacketThatCannotBeValidIsRefusedBeforeItsBody() {
        try (RawPgClient client = proxy.raw()) {
            client.sendRaw(ByteBuffer.allocate(8).putInt(100).putInt(4 << 16).array());
            BackendMessage error = Raw.expectFatal(client, "0A000");
            assertEquals("unsupported frontend protocol 4.0: server supports 3.0 to 3.0", error.errorField('M'));
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aStartupMessageWithoutAUserIsRefused() {
        try (RawPgClient client = proxy.raw()) {
            client.sendStartup(Map.of("database", "app"));
            BackendMessage error = client.expect('E');
            assertEquals("28000", error.errorField('C'), error::toString);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aReplicationConnectionIsRefusedWith0A000() {
        try (RawPgClient client = proxy.raw()) {
            client.sendStartup(Map.of("user", ProxyFixture.APP_USER, "database", "app", "replication", "database"));
            BackendMessage error = client.expect('E');
            assertEquals("0A000", error.errorField('C'), error::toString);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aStartupSettingTheDatabaseRejectsFailsTheSessionWithTheDatabasesError() {
        try (RawPgClient client = proxy.raw()) {
            // PostgreSQL refuses such a login; pgmux may greet first and refuse at the first query instead.
            try {
                client.login(ProxyFixture.APP_USER, "app", ProxyFixture.APP_PASSWORD, Map.of("work_mem", "not-a-size"));
                client.query("select 1");
                Raw.expectFatal(client, "22023");
            } catch (RawPgClient.ServerError e) {
                assertEquals("22023", e.sqlState(), e.toString());
            }
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
    }
}
