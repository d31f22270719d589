package io.pgmux.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RawPgClient straight against PostgreSQL, so proxy tests can trust what it reports. */
@ExtendWith(PostgresExtension.class)
final class RawPgClientTest {

    private static final int INT4 = 23;

    private final PostgresCluster cluster;
    private RawPgClient client;

    RawPgClientTest(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void connect() {
        client = RawPgClient.connect(cluster.host(), cluster.port());
    }

    @AfterEach
    void close() {
        client.close();
    }

    private StartupResult loginAsApp() {
        return client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), Map.of("application_name", "raw-test"));
    }

    @Test
    void simpleQuery() {
        StartupResult startup = loginAsApp();
        assertEquals("UTF8", startup.params().get("client_encoding"));
        assertEquals("raw-test", startup.params().get("application_name"));
        assertTrue(startup.params().get("server_version").startsWith("1"), startup.params().toString());
        assertNotEquals(0, startup.pid());

        client.query("select 1 as a, null::text as b");
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", types(reply));
        assertEquals(Arrays.asList("1", null), reply.get(1).dataRowText());
        assertEquals("SELECT 1", reply.get(2).commandTag());
        assertEquals('I', reply.get(3).readyStatus());
    }

    @Test
    void extendedProtocolWithTwoPipelinedSyncs() {
        loginAsApp();
        client.parse("plus_one", "select $1::int + 1", INT4);
        client.describeStatement("plus_one");
        client.bind("", "plus_one", "41");
        client.describePortal("");
        client.execute("", 0);
        client.sync();
        client.bind("p2", "plus_one", "1");
        client.execute("p2", 0);
        client.close('P', "p2");
        client.close('S', "plus_one");
        client.sync();

        List<BackendMessage> first = client.readUntilReady();
        assertEquals("1tT2TDCZ", types(first)); // ParseComplete, ParameterDescription, RowDescription, BindComplete, ...
        assertEquals(List.of("42"), first.get(5).dataRowText());
        assertEquals("SELECT 1", first.get(6).commandTag());

        List<BackendMessage> second = client.readUntilReady();
        assertEquals("2DC33Z", types(second)); // ... CloseComplete twice
        assertEquals(List.of("2"), second.get(1).dataRowText());
        assertEquals('I', second.get(5).readyStatus());
    }

    @Test
    void executeWithRowLimitSuspendsThePortal() {
        loginAsApp();
        client.parse("", "select generate_series(1, 3)");
        client.bind("", "");
        client.execute("", 2);
        client.execute("", 0);
        client.sync();
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("12DDsDCZ", types(reply)); // 's' PortalSuspended after two rows
        assertEquals("SELECT 1", reply.get(6).commandTag());
    }

    @Test
    void errorInsideTransactionFailsItUntilRollback() {
        loginAsApp();
        client.query("begin");
        assertEquals('T', client.readUntilReady().get(1).readyStatus());

        client.query("select 1/0");
        BackendMessage error = client.expect('E');
        assertEquals("22012", error.errorField('C')); // division_by_zero
        assertEquals("ERROR", error.errorField('S'));
        assertEquals("division by zero", error.errorField('M'));
        assertEquals('E', client.expect('Z').readyStatus());

        client.query("select 1");
        assertEquals("25P02", client.expect('E').errorField('C')); // in_failed_sql_transaction
        assertEquals('E', client.expect('Z').readyStatus());

        client.query("rollback");
        assertEquals("ROLLBACK", client.expect('C').commandTag());
        assertEquals('I', client.expect('Z').readyStatus());
    }

    @Test
    void expectFailsWithTheServersError() {
        loginAsApp();
        client.query("select * from no_such_table");
        AssertionError failure = assertThrows(AssertionError.class, () -> client.expect('T'));
        assertTrue(failure.getMessage().contains("42P01"), failure.getMessage());
        assertTrue(failure.getMessage().contains("no_such_table"), failure.getMessage());
        client.expect('Z');
    }

    @Test
    void copyFromStdin() {
        loginAsApp();
        client.query("create temporary table t (a int, b text)");
        client.readUntilReady();

        client.query("copy t from stdin");
        client.expect('G'); // CopyInResponse
        client.copyData("1\tone\n".getBytes(StandardCharsets.UTF_8));
        client.copyData("2\ttwo\n".getBytes(StandardCharsets.UTF_8));
        client.copyDone();
        assertEquals("COPY 2", client.expect('C').commandTag());
        client.expect('Z');

        client.query("copy t from stdin");
        client.expect('G');
        client.copyData("3\tthree\n".getBytes(StandardCharsets.UTF_8));
        client.copyFail("test aborts the copy");
        BackendMessage error = client.expect('E');
        assertEquals("57014", error.errorField('C'));
        assertTrue(error.errorField('M').contains("test aborts the copy"), error.toString());
        client.expect('Z');

        client.query("select string_agg(b, ',' order by a) from t");
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals(List.of("one,two"), reply.get(1).dataRowText());
    }

    @Test
    void cancelRequestCancelsARunningQuery() throws Exception {
        StartupResult startup = loginAsApp();
        client.query("select pg_sleep(30)");
        // A cancel that arrives before the query runs is ignored, so wait until it is running.
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement(
                     "select 1 from pg_stat_activity where pid = ? and state = 'active' and query like 'select pg_sleep%'")) {
            ps.setInt(1, startup.pid());
            Await.untilChecked(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }, "pg_sleep to be running");
        }
        long start = System.nanoTime();
        RawPgClient.cancel(cluster.host(), cluster.port(), startup.pid(), startup.secret());
        BackendMessage message = client.read();
        if (message.type() == 'T') { // RowDescription may precede the error
            message = client.read();
        }
        assertEquals('E', message.type(), message.toString());
        assertEquals("57014", message.errorField('C')); // query_canceled
        assertEquals('I', client.expect('Z').readyStatus());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
    }

    @ParameterizedTest
    @EnumSource(TestRole.class)
    void logsInWithEachPasswordMethod(TestRole role) {
        StartupResult startup = client.login(role.user(), "postgres", role.password(), null);
        assumeLocalHba();
        int expected = switch (role.hbaMethod()) {
            case "md5" -> 5;
            case "password" -> 3;
            default -> 10;
        };
        assertEquals(expected, startup.authMethod(), role.toString());
        client.query("select current_user");
        assertEquals(List.of(role.user()), client.readUntilReady().get(1).dataRowText());
    }

    @Test
    void logsInAsTrustedSuperuserWithoutPassword() {
        assumeLocalHba();
        StartupResult startup = client.login(TestRole.SUPERUSER, "postgres", null, null);
        assertEquals(0, startup.authMethod());
        client.query("show is_superuser");
        assertEquals(List.of("on"), client.readUntilReady().get(1).dataRowText());
    }

    @ParameterizedTest
    @EnumSource(TestRole.class)
    void wrongPasswordIsRejected(TestRole role) {
        RawPgClient.ServerError error = assertThrows(RawPgClient.ServerError.class,
                () -> client.login(role.user(), "postgres", "not-" + role.password(), null));
        assertEquals("28P01", error.sqlState());
        assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
    }

    @Test
    void terminateClosesTheConnection() {
        loginAsApp();
        assertFalse(client.isClosedByPeer(Duration.ofMillis(50)));
        client.terminate();
        assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
    }

    /** The per-role methods are ours only on clusters we configured; an external server has its own pg_hba.conf. */
    private void assumeLocalHba() {
        assumeTrue(System.getenv("PGMUX_TEST_PG_URL") == null,
                "pg_hba.conf of an external server is not ours");
    }

    private static String types(List<BackendMessage> messages) {
        return messages.stream().map(m -> String.valueOf(m.type())).collect(Collectors.joining());
    }
}
