package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a client's session shows after another client used its server, where the change to the session came by a
 * route pgmux's own work or a function hides: transaction mode, a pool of one server, so that the clients share
 * it. Each case runs side by side on a client of pgmux and on a direct connection.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HiddenSettingsIT {
    private final PostgresCluster cluster;

    HiddenSettingsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static final String SUPERUSER = "iso_su";
    private static final String SUPERUSER_PASSWORD = "iso_su_pw";
    private static final String ALICE = "iso_alice";
    private static final String BOB = "iso_bob";
    /** Who a session is: current_user|session_user. */
    private static final String WHO = "select current_user || '|' || session_user";

    /**
     * A function that sets its caller's setting at session level, which pgmux cannot see in the SQL that calls
     * it; and the roles it is called with, a superuser that logs in and two it may become.
     */
    private void hiddenFunctionAndRoles() throws SQLException {
        ClusterAdmin.ensureRole(cluster, SUPERUSER, SUPERUSER_PASSWORD);
        ClusterAdmin.ensureRole(cluster, ALICE, "iso_alice_pw");
        ClusterAdmin.ensureRole(cluster, BOB, "iso_bob_pw");
        asSuperuser("ALTER ROLE " + SUPERUSER + " SUPERUSER");
        ClusterAdmin.appDdl(cluster, "CREATE OR REPLACE FUNCTION f_hidden(n text, v text) RETURNS text"
                + " LANGUAGE plpgsql AS $$ BEGIN RETURN set_config(n, v, false); END $$");
    }

    /** pgmux with app_user and the superuser, sharing one server in transaction mode. */
    private ProxyFixture proxyWithSuperuser() {
        return ProxyFixture.config(cluster).poolSize(1)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(SUPERUSER, SUPERUSER_PASSWORD, ProxyFixture.DEFAULT_TENANT).start();
    }

    private static RawPgClient login(String host, int port, String user, String password) {
        RawPgClient client = RawPgClient.connect(host, port);
        try {
            client.login(user, ProxyFixture.APP_DB, password, null);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** A Query and a Terminate, as one run of bytes. */
    private static byte[] queryThenTerminate(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(1 + 4 + text.length + 1 + 1 + 4);
        bytes.put((byte) 'Q').putInt(4 + text.length + 1).put(text).put((byte) 0);
        bytes.put((byte) 'X').putInt(4);
        return bytes.array();
    }

    private RawPgClient superuserViaPgmux(ProxyFixture proxy) {
        return login(proxy.host(), proxy.port(), SUPERUSER, SUPERUSER_PASSWORD);
    }

    private RawPgClient superuserDirect() {
        return login(cluster.host(), cluster.port(), SUPERUSER, SUPERUSER_PASSWORD);
    }

    private RawPgClient direct(Map<String, String> startup) {
        RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port());
        client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, startup);
        return client;
    }

    /** Runs {@code sql} on both; the replies must be the same messages (errors by SQLSTATE). */
    private static void both(RawPgClient proxied, RawPgClient direct, String sql) {
        proxied.query(sql);
        String viaPgmux = Raw.summary(proxied.readUntilReady());
        direct.query(sql);
        assertEquals(Raw.summary(direct.readUntilReady()), viaPgmux, sql);
    }

    /** The one value {@code sql} gives on both, which must be the same; returned. */
    private static String sameValue(RawPgClient proxied, RawPgClient direct, String sql, String why) {
        String expected = Raw.queryOne(direct, sql);
        assertEquals(expected, Raw.queryOne(proxied, sql), why);
        return expected;
    }

    private void asSuperuser(String... statements) throws SQLException {
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            for (String each : statements) {
                st.execute(each);
            }
        }
    }

    @Test
    void theClientsStatementTimeoutIsItsOwnNotTheReadbacksGuard() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            both(a, d, "SET statement_timeout = '11s'");
            assertEquals("0", Raw.queryOne(b, "show statement_timeout"), "b, on a's server, has the default");
            assertEquals("11s", sameValue(a, d, "show statement_timeout", "a after b used its server"));
            both(a, d, "BEGIN; SET statement_timeout = '12s'; SELECT 1; COMMIT");
            Raw.queryOne(b, "select 1");
            assertEquals("12s", sameValue(a, d, "show statement_timeout", "set in a block"));
        }
    }

    /**
     * A transaction's own settings (transaction_isolation and its siblings), set outside a block, which PostgreSQL
     * warns of and pg_settings then shows at session level: a readback of every session setting does not take them
     * for the client's, whose next servers would refuse them behind a query (25001) and lose the client.
     */
    @Test
    void aTransactionsOwnSettingsSetOutsideABlockDoNotFollowTheClient() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            for (String each : new String[] {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "SET TRANSACTION READ ONLY", "SET TRANSACTION DEFERRABLE",
                "SET transaction_isolation = 'repeatable read'",
                "SELECT set_config('transaction_read_only', 'on', false)"}) {
                both(a, d, each);
                both(a, d, "DO $$ BEGIN PERFORM 1; END $$"); // every session setting is read back
                both(a, d, "SET default_transaction_isolation = 'repeatable read'");
                Raw.queryOne(b, "select 1");
                assertEquals(Raw.queryOne(d, "show transaction_isolation"),
                        Raw.queryOne(a, "show transaction_isolation"), each);
                assertEquals(Raw.queryOne(d, "show transaction_read_only"),
                        Raw.queryOne(a, "show transaction_read_only"), each);
                both(a, d, "RESET default_transaction_isolation");
            }
        }
    }

    @Test
    void aRoleDefaultStatementTimeoutSurvivesAReadbackOfEverySessionSetting() throws Exception {
        asSuperuser("ALTER ROLE " + ProxyFixture.APP_USER + " IN DATABASE " + ProxyFixture.APP_DB
                + " SET statement_timeout = '77s'");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            both(a, d, "DO $$ BEGIN PERFORM 1; END $$");
            assertEquals("77s", Raw.queryOne(b, "show statement_timeout"));
            assertEquals("77s", sameValue(a, d, "show statement_timeout", "a after a DO block and b"));
            both(a, d, "DO $$ BEGIN PERFORM set_config('statement_timeout', '78s', false); END $$");
            assertEquals("77s", Raw.queryOne(b, "show statement_timeout"), "b on a's server");
            assertEquals("78s", sameValue(a, d, "show statement_timeout", "set inside a DO block"));
        } finally {
            asSuperuser("ALTER ROLE " + ProxyFixture.APP_USER + " IN DATABASE " + ProxyFixture.APP_DB
                    + " RESET statement_timeout");
        }
    }

    @Test
    void aResetStatementTimeoutReturnsToTheStartupValue() throws Exception {
        Map<String, String> startup = Map.of("options", "-c statement_timeout=5s");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin(startup);
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(startup)) {
            both(a, d, "SET statement_timeout = '1s'");
            both(a, d, "RESET statement_timeout");
            assertEquals("0", Raw.queryOne(b, "show statement_timeout"));
            assertEquals("5s", sameValue(a, d, "show statement_timeout", "a's startup value after its RESET"));
            both(a, d, "SET statement_timeout = '2s'; SET statement_timeout TO DEFAULT");
            Raw.queryOne(b, "select 1");
            assertEquals("5s", sameValue(a, d, "show statement_timeout", "SET ... TO DEFAULT"));
        }
    }

    @Test
    void aSessionAuthorizationSetInsideAFunctionStaysWithItsClientAlone() throws Exception {
        hiddenFunctionAndRoles();
        try (ProxyFixture proxy = proxyWithSuperuser();
             RawPgClient a = superuserViaPgmux(proxy);
             RawPgClient b = superuserViaPgmux(proxy);
             RawPgClient d = superuserDirect()) {
            both(a, d, "select f_hidden('session_authorization', '" + BOB + "')");
            assertEquals(SUPERUSER + "|" + SUPERUSER, Raw.queryOne(b, WHO), "the next client on a's server");
            assertEquals(BOB + "|" + BOB, sameValue(a, d, WHO, "a keeps it on its next server"));
            assertEquals(SUPERUSER + "|" + SUPERUSER, Raw.queryOne(b, WHO), "b again");
            both(a, d, "select f_hidden('session_authorization', '" + SUPERUSER + "')");
            assertEquals(SUPERUSER + "|" + SUPERUSER, sameValue(a, d, WHO, "set back inside a function"));
        }
    }

    @Test
    void aRoleSetInsideAFunctionStaysWithItsClientAlone() throws Exception {
        hiddenFunctionAndRoles();
        try (ProxyFixture proxy = proxyWithSuperuser();
             RawPgClient a = superuserViaPgmux(proxy);
             RawPgClient b = superuserViaPgmux(proxy);
             RawPgClient d = superuserDirect()) {
            both(a, d, "select f_hidden('role', '" + ALICE + "')");
            assertEquals(SUPERUSER + "|" + SUPERUSER, Raw.queryOne(b, WHO), "the next client on a's server");
            assertEquals(ALICE + "|" + SUPERUSER, sameValue(a, d, WHO, "a keeps its role on its next server"));
            // A role only for the transaction comes back at COMMIT: nothing to read back, nothing left behind.
            both(a, d, "BEGIN; SET LOCAL ROLE " + SUPERUSER + "; SELECT 1; COMMIT");
            assertEquals(SUPERUSER + "|" + SUPERUSER, Raw.queryOne(b, WHO));
            assertEquals(ALICE + "|" + SUPERUSER, sameValue(a, d, WHO, "after SET LOCAL ROLE"));
        }
    }

    @Test
    void aClientThatLeavesRightAfterAHiddenChangeLeavesNothingBehind() throws Exception {
        hiddenFunctionAndRoles();
        for (String change : List.of("f_hidden('session_authorization', '" + BOB + "')",
                "f_hidden('role', '" + ALICE + "')")) {
            try (ProxyFixture proxy = proxyWithSuperuser()) {
                RawPgClient a = superuserViaPgmux(proxy);
                // Its Terminate goes in the same write as the query: the client is gone before its server is at a
                // boundary.
                a.sendRaw(queryThenTerminate("select " + change));
                // Its answer comes whole before pgmux ends it: it did not leave in the middle.
                assertEquals("TDSSCZ".substring(0, 2), Raw.types(a.readUntilReady()).substring(0, 2), change);
                a.close();
                try (RawPgClient c = superuserViaPgmux(proxy)) {
                    assertEquals(SUPERUSER + "|" + SUPERUSER, Raw.queryOne(c, WHO), change);
                }
            }
        }
    }

    /**
     * Reported parameters a function changes: the tracked ones (DateStyle, TimeZone) follow ParameterStatus;
     * default_transaction_read_only, reported but not tracked, is read back as session_authorization is.
     */
    @Test
    void otherReportedParametersSetInsideAFunctionStayWithTheirClientAlone() throws Exception {
        hiddenFunctionAndRoles();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            String[][] cases = {{"DateStyle", "German, DMY"}, {"TimeZone", "Asia/Tokyo"},
                {"default_transaction_read_only", "on"}, {"IntervalStyle", "iso_8601"}};
            for (String[] each : cases) {
                String show = "show " + each[0];
                String before = Raw.queryOne(b, show);
                both(a, d, "select f_hidden('" + each[0] + "', '" + each[1] + "')");
                assertEquals(before, Raw.queryOne(b, show), "the next client on a's server: " + each[0]);
                assertEquals(Raw.queryOne(d, show), Raw.queryOne(a, show), "a keeps " + each[0]);
            }
        }
    }

    /** What a session shows of the settings a function may set unseen, and who it is. */
    private static final String UNSEEN = "select current_setting('search_path'), current_setting('work_mem'),"
            + " coalesce(nullif(current_setting('myapp.tenant_id', true), ''), '<unset>'),"
            + " current_setting('statement_timeout'), current_user, session_user";
    /** Settings a function changes where PostgreSQL reports nothing: pgmux cannot see them. */
    private static final List<String> UNSEEN_CHANGES = List.of("f_hidden('search_path', 'nowhere')",
            "f_hidden('work_mem', '3MB')", "f_hidden('myapp.tenant_id', '7')", "f_hidden('statement_timeout', '9s')",
            "f_hidden('role', '" + io.pgmux.testing.TestRole.MEMBER_ROLE + "')");

    private static List<String> unseen(RawPgClient client) {
        client.query(UNSEEN);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", Raw.types(reply), reply::toString);
        return reply.get(1).dataRowText();
    }

    @Test
    void withServerResetQueryAlwaysWhatAFunctionSetUnseenNeverReachesTheNextClient() throws Exception {
        hiddenFunctionAndRoles();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).set("server_reset_query_always", "on")
                .start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient fresh = direct(null)) {
            List<String> untouched = unseen(fresh);
            assertEquals('I', Raw.command(a, "SET work_mem = '5MB'"));
            for (String change : UNSEEN_CHANGES) {
                Raw.queryOne(a, "select " + change);
                assertEquals(untouched, unseen(b), "the next client after " + change);
            }
            assertEquals("5MB", Raw.queryOne(a, "show work_mem"), "what pgmux saw is set again on a's next server");
        }
    }

    /** The reason for the setting: without it, as with PgBouncer, what pgmux cannot see stays on the server. */
    @Test
    void withoutServerResetQueryAlwaysWhatAFunctionSetUnseenStaysOnTheServer() throws Exception {
        hiddenFunctionAndRoles();
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            Raw.queryOne(a, "select f_hidden('search_path', 'nowhere')");
            assertEquals("nowhere", Raw.queryOne(b, "show search_path"));
        }
    }
}
