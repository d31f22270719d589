package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.pool.PoolSnapshot;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.TestRole;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client's settings in transaction mode are what they would be on a direct connection, whichever route set
 * them, on every server it lands on, and never reach another client. Each case runs side by side on a client of
 * pgmux and on a direct connection to PostgreSQL, and the proxied client is then moved to new servers (the pool's
 * backends are terminated), which have seen nothing of it.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SessionSettingsIT {
    /**
     * What each comparison reads: settings of every kind, a custom one, and who the session is. A custom setting
     * reads as unset whether undefined or empty: once a session has defined one, it stays defined (RESET and
     * DISCARD ALL only empty it), so a server another client defined it on shows it empty.
     */
    private static final String SETTINGS = "select current_setting('work_mem'), current_setting('search_path'),"
            + " coalesce(nullif(current_setting('myapp.note', true), ''), '<unset>'),"
            + " current_setting('statement_timeout'),"
            + " current_setting('application_name'), current_user, session_user";

    private final PostgresCluster cluster;

    SessionSettingsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** A direct connection as app_user, with the same startup parameters a proxied client used. */
    private RawPgClient direct(Map<String, String> startup) {
        RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port());
        client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), startup);
        return client;
    }

    /**
     * Terminates every backend app_user has except {@code keep} (the direct connections), and waits until the
     * pool holds none: the next request gets a new server.
     */
    private void newServers(ProxyFixture proxy, RawPgClient... keep) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        for (RawPgClient each : keep) {
            pids.add(Raw.pid(each));
        }
        // First let the pool finish what it runs on its own (reading a client's settings back, a reset): a server
        // terminated in the middle of that would fail the client's next request, which is not what is tested.
        Await.until(Duration.ofSeconds(10), () -> {
            PoolSnapshot pool = proxy.appSnapshot();
            return pool.serversActive() + pool.serversTested() + pool.serversOpening()
                    + pool.serversBeingCanceled() == 0;
        }, "the pool's servers are idle");
        // Terminated again on every look: a server the pool was still logging in when the first round ran has no
        // client backend yet, and would otherwise come up idle afterwards and keep the pool from emptying.
        Await.untilChecked(Duration.ofSeconds(10), () -> {
            terminateAllBut(pids);
            PoolSnapshot pool = proxy.appSnapshot();
            return pool.serversActive() + pool.serversIdle() + pool.serversOpening() + pool.serversTested()
                    + pool.serversBeingCanceled() == 0;
        }, "the pool's servers are gone");
    }

    private void terminateAllBut(List<Integer> pids) throws SQLException {
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity"
                     + " where usename = ? and backend_type = 'client backend' and pid <> all(?)")) {
            ps.setString(1, TestRole.APP.user());
            ps.setArray(2, su.createArrayOf("int4", pids.toArray()));
            ps.executeQuery().close();
        }
    }

    /** Runs {@code sql} on both; the replies must have the same shape (same messages, same errors). */
    private static List<BackendMessage> both(RawPgClient proxied, RawPgClient direct, String sql) {
        proxied.query(sql);
        List<BackendMessage> viaPgmux = proxied.readUntilReady();
        direct.query(sql);
        List<BackendMessage> reference = direct.readUntilReady();
        assertEquals(describe(reference), describe(viaPgmux), sql);
        return viaPgmux;
    }

    /** Message types, with the code of an error and the name and value of a ParameterStatus. */
    private static String describe(List<BackendMessage> reply) {
        StringBuilder result = new StringBuilder();
        for (BackendMessage each : reply) {
            result.append(each.type());
            if (each.type() == 'E') {
                result.append('(').append(each.errorField('C')).append(')');
            } else if (each.type() == 'S') {
                result.append('(').append(each.paramName()).append('=').append(each.paramValue()).append(')');
            }
        }
        return result.toString();
    }

    private static List<String> row(RawPgClient client, String sql) {
        client.query(sql);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", Raw.types(reply), () -> sql + ": " + reply);
        return reply.get(1).dataRowText();
    }

    /** The proxied client's settings, read on a new server, are the direct connection's. */
    private void sameSettingsOnNewServers(ProxyFixture proxy, RawPgClient proxied, RawPgClient direct, String why)
            throws SQLException {
        List<String> expected = row(direct, SETTINGS);
        assertEquals(expected, row(proxied, SETTINGS), why + ", on the same server");
        newServers(proxy, direct);
        assertEquals(expected, row(proxied, SETTINGS), why + ", on a new server");
    }

    @Test
    void aQueryBeginningWithSetRunsItsOtherStatementsOnceAndTheSetKeepsOnlyItsValue() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists set_then_insert",
                "create table set_then_insert (k int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            both(a, d, "SET statement_timeout = 0; INSERT INTO set_then_insert(k)"
                    + " SELECT coalesce(max(k), 0) + 1 FROM set_then_insert");
            for (int i = 0; i < 3; i++) {
                sameSettingsOnNewServers(proxy, a, d, "round " + i);
                assertEquals("2", Raw.queryOne(a, "select count(*) from set_then_insert"),
                        "one INSERT from each connection, never replayed");
            }
        }
    }

    /** A SET cut short is PostgreSQL's syntax error to answer, as on a direct connection; the session goes on. */
    @Test
    void aSetWithoutAValueGetsTheServersSyntaxErrorAndTheSessionGoesOn() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            for (String sql : new String[] {"SET statement_timeout", "set myapp.note", "SET work_mem =", "RESET"}) {
                assertEquals("EZ", describe(both(a, d, sql)).replaceAll("\\(.*\\)", ""), sql);
            }
            sameSettingsOnNewServers(proxy, a, d, "after the syntax errors");
        }
    }

    @Test
    void aSetsValueEndsWhereItsStatementEndsWhereverItStands() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            both(a, d, "SET myapp.note = 'x; y'; SELECT 1");
            sameSettingsOnNewServers(proxy, a, d, "a quoted ';'");
            both(a, d, "select 1; SET work_mem = '3MB' /* ; SET work_mem = '1MB' */; select 2 -- ; reset work_mem");
            sameSettingsOnNewServers(proxy, a, d, "a SET between other statements");
            both(a, d, "set search_path = \"a;b\", public; set myapp.note to $$it's; $x$$");
            sameSettingsOnNewServers(proxy, a, d, "quoted identifiers and dollar quotes");
            both(a, d, "SET SESSION work_mem = E'2\\'MB'");
            both(a, d, "SET SESSION work_mem = '2MB'; set myapp.note = e'a\\';b'");
            sameSettingsOnNewServers(proxy, a, d, "SET SESSION and an escape string");
        }
    }

    @Test
    void aSetInABlockThatCommitsLastsAndSetLocalOrARolledBackSetDoesNot() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            String bBefore = row(b, SETTINGS).toString();
            both(a, d, "BEGIN");
            both(a, d, "SET work_mem = '9MB'");
            both(a, d, "SET LOCAL search_path = nowhere");
            both(a, d, "COMMIT");
            sameSettingsOnNewServers(proxy, a, d, "SET in a committed block, SET LOCAL");
            both(a, d, "BEGIN; SET work_mem = '5MB'; SET myapp.note = 'rolled back'; ROLLBACK");
            sameSettingsOnNewServers(proxy, a, d, "a rolled back block");
            both(a, d, "BEGIN");
            both(a, d, "SET work_mem = '7MB'");
            both(a, d, "SAVEPOINT s");
            both(a, d, "SET work_mem = '8MB'; SET statement_timeout = '8s'");
            both(a, d, "ROLLBACK TO SAVEPOINT s");
            both(a, d, "SET search_path = 'after the savepoint'");
            both(a, d, "COMMIT");
            sameSettingsOnNewServers(proxy, a, d, "a savepoint rolled back");
            both(a, d, "BEGIN; RESET work_mem; RESET search_path");
            both(a, d, "ROLLBACK");
            sameSettingsOnNewServers(proxy, a, d, "RESET in a rolled back block");
            both(a, d, "BEGIN; SET LOCAL work_mem = '11MB'; SET work_mem FROM CURRENT; COMMIT");
            sameSettingsOnNewServers(proxy, a, d, "SET FROM CURRENT");
            both(a, d, "SET work_mem = '6MB'; SELECT 1/0");
            sameSettingsOnNewServers(proxy, a, d, "a SET in a Query that failed");
            both(a, d, "SET work_mem = '6MB'; COMMIT; SELECT 1/0");
            sameSettingsOnNewServers(proxy, a, d, "a SET committed in the middle of a Query that failed");
            assertEquals(bBefore, row(b, SETTINGS).toString(), "the other client saw none of it");
        }
    }

    @Test
    void setConfigAndPgSettingsAreSetsAndSetConfigLocalIsSetLocal() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            String bBefore = row(b, SETTINGS).toString();
            both(a, d, "SELECT now() IS NOT NULL, set_config('work_mem', '2MB', false) AS w, 42 AS other");
            both(a, d, "select pg_catalog.set_config('myapp.note', 'from set_config', false)");
            sameSettingsOnNewServers(proxy, a, d, "set_config(..., false)");
            both(a, d, "BEGIN; SELECT set_config('work_mem', '3MB', true); COMMIT");
            both(a, d, "SELECT set_config('statement_timeout', '3s', 'on')");
            sameSettingsOnNewServers(proxy, a, d, "set_config(..., true)");
            both(a, d, "UPDATE pg_settings SET setting = '4MB' WHERE name = 'work_mem'");
            sameSettingsOnNewServers(proxy, a, d, "UPDATE pg_settings");
            both(a, d, "DO $$ BEGIN PERFORM set_config('myapp.note', 'from DO', false); SET search_path = a_do; END $$");
            sameSettingsOnNewServers(proxy, a, d, "a DO block");
            assertEquals(bBefore, row(b, SETTINGS).toString(), "the other client saw none of it");
        }
    }

    @Test
    void settingsSetThroughTheExtendedProtocolFollowTheClient() throws Exception {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("prepareThreshold", "1");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             Connection c = proxy.connect(props)) {
            Sql.exec(c, "SET work_mem = '3MB'");
            c.setAutoCommit(false);
            Sql.exec(c, "SET search_path = extended, public");
            c.commit();
            c.setAutoCommit(true);
            for (String value : List.of("first", "second", "third")) {
                // The same text each time: after the first, pgjdbc only binds its named statement.
                try (PreparedStatement ps = c.prepareStatement("SELECT set_config('myapp.note', ?, false)")) {
                    ps.setString(1, value);
                    ps.executeQuery().close();
                }
                newServers(proxy);
                assertEquals(value, Sql.one(c, "select current_setting('myapp.note')"), "set by Bind");
                assertEquals("3MB", Sql.one(c, "show work_mem"));
                assertEquals("extended, public", Sql.one(c, "show search_path"), "SET in a transaction, committed");
            }
        }
    }

    @Test
    void aSettingSetByANamedStatementPgmuxPreparedWithoutAServerFollowsTheClient() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient x = proxy.rawLogin();
             RawPgClient y = proxy.rawLogin()) {
            x.parse("note", "select set_config('myapp.note', $1, false)", 25);
            x.sync();
            assertEquals("1Z", Raw.types(x.readUntilReady()));
            // Known to the pool now: y's Parse is answered without a server.
            y.parse("mine", "select set_config('myapp.note', $1, false)", 25);
            y.sync();
            assertEquals("1Z", Raw.types(y.readUntilReady()));
            y.bind("", "mine", "y's");
            y.execute("", 0);
            y.sync();
            assertEquals("2DCZ", Raw.types(y.readUntilReady()));
            assertEquals("<unset>", row(x, SETTINGS).get(2), "x, on the very server y used, sees nothing of it");
            newServers(proxy);
            assertEquals("y's", row(y, SETTINGS).get(2), "y keeps it on a new server");
        }
    }

    @Test
    void aRoleSetAnyWayFollowsItsClientAndNoOneElse() throws Exception {
        for (String setRole : List.of("BEGIN; SET ROLE " + TestRole.MEMBER_ROLE + "; COMMIT",
                "SELECT set_config('role', '" + TestRole.MEMBER_ROLE + "', false)",
                "SET SESSION ROLE " + TestRole.MEMBER_ROLE + "; SELECT 1")) {
            try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
                 RawPgClient a = proxy.rawLogin();
                 RawPgClient b = proxy.rawLogin();
                 RawPgClient d = direct(null)) {
                both(a, d, setRole);
                assertEquals(TestRole.MEMBER_ROLE, Raw.queryOne(a, "select current_user"), setRole);
                // The pool has one server: b gets the very server a set its role on.
                assertEquals(TestRole.APP.user(), Raw.queryOne(b, "select current_user"), setRole);
                assertEquals("0", Raw.queryOne(b, "select count(*) from " + TestRole.MEMBER_ROLE_TABLE),
                        "b does not see what a's role sees");
                assertEquals("1", Raw.queryOne(a, "select count(*) from " + TestRole.MEMBER_ROLE_TABLE));
                sameSettingsOnNewServers(proxy, a, d, setRole);
                both(a, d, "RESET ROLE");
                sameSettingsOnNewServers(proxy, a, d, "RESET ROLE after " + setRole);
                both(a, d, setRole);
                a.terminate();
                d.terminate();
                try (RawPgClient c = proxy.rawLogin()) {
                    assertEquals(TestRole.APP.user(), Raw.queryOne(c, "select current_user"),
                            "after the client left, " + setRole);
                }
            }
        }
    }

    @Test
    void discardAllResetsTheRoleAndSessionAuthorizationIsTheServersToRefuse() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin();
             RawPgClient d = direct(null)) {
            both(a, d, "SET ROLE " + TestRole.MEMBER_ROLE + "; SET work_mem = '3MB'");
            both(a, d, "DISCARD ALL");
            sameSettingsOnNewServers(proxy, a, d, "DISCARD ALL");
            // app_user is no superuser: the server refuses, as it refuses a direct connection.
            both(a, d, "SET SESSION AUTHORIZATION " + TestRole.MEMBER_ROLE);
            both(a, d, "BEGIN; SET SESSION AUTHORIZATION DEFAULT; COMMIT");
            sameSettingsOnNewServers(proxy, a, d, "SET SESSION AUTHORIZATION DEFAULT");
            assertEquals(TestRole.APP.user(), Raw.queryOne(b, "select current_user"));
        }
    }

    @Test
    void resetRestoresTheClientsStartupValueInParameterStatusAndShow() throws Exception {
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("application_name", "app1");
        startup.put("options", "-c work_mem=5MB -c myapp.note=from\\ startup");
        for (String reset : List.of("RESET application_name", "SET application_name TO DEFAULT", "RESET ALL",
                "DISCARD ALL", "BEGIN; RESET ALL; COMMIT")) {
            try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
                 RawPgClient a = proxy.rawLogin(startup);
                 RawPgClient d = direct(startup)) {
                both(a, d, "SET application_name = 'x'; SET work_mem = '1MB'; SET myapp.note = 'changed'");
                List<BackendMessage> reply = both(a, d, reset);
                assertEquals("app1", reply.stream().filter(m -> m.type() == 'S').findFirst().orElseThrow()
                        .paramValue(), reset + " reports the startup application_name");
                sameSettingsOnNewServers(proxy, a, d, reset);
                both(a, d, "show application_name");
            }
        }
    }

    /**
     * Inside a transaction block a RESET goes back to the client's startup value, as on a direct connection: SHOW
     * there, a later SET LOCAL of the same setting, a savepoint and a ROLLBACK see the startup value, in the simple and
     * the extended protocol, whether the client shares its servers or has one to itself.
     */
    @Test
    void aResetInsideABlockGoesBackToTheStartupValueThere() throws Exception {
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("options",
                "-c work_mem=5MB -c TimeZone=Asia/Tokyo -c DateStyle=SQL,DMY -c myapp.note=from\\ startup");
        List<List<String>> cases = List.of(
                List.of("BEGIN", "RESET work_mem", "show work_mem", "SET LOCAL work_mem = '1MB'", "show work_mem",
                        "COMMIT", "show work_mem"),
                List.of("BEGIN", "RESET TimeZone", "show timezone", "SET LOCAL TimeZone = 'UTC'", "COMMIT",
                        "show timezone"),
                List.of("SET work_mem = '2MB'", "SET TimeZone = 'GMT'", "BEGIN", "RESET ALL", "show work_mem",
                        "show datestyle", "show myapp.note", "ROLLBACK", "show work_mem", "show timezone"),
                List.of("SET work_mem = '2MB'", "BEGIN", "RESET ALL", "SAVEPOINT a", "SET work_mem = '3MB'",
                        "ROLLBACK TO a", "show work_mem", "COMMIT", "show work_mem"),
                List.of("SET work_mem = '2MB'", "BEGIN", "SAVEPOINT a; RESET work_mem; ROLLBACK TO a",
                        "show work_mem", "COMMIT", "show work_mem"),
                List.of("SET work_mem = '2MB'", "BEGIN", "RESET work_mem", "SELECT 1/0", "ROLLBACK", "show work_mem"),
                List.of("BEGIN", "RESET work_mem", "SET work_mem = '3MB'", "show work_mem", "COMMIT",
                        "show work_mem"),
                // Outside a block: told as PostgreSQL reads the startup value ("SQL, DMY"), not as written.
                List.of("SET DateStyle = 'ISO'", "RESET ALL", "show datestyle"));
        for (String mode : List.of("transaction", "session")) {
            ProxyFixture.Config config = ProxyFixture.config(cluster).poolSize(2);
            config.set("pool_mode", mode);
            try (ProxyFixture proxy = config.start()) {
                for (boolean extended : List.of(false, true)) {
                    for (List<String> statements : cases) {
                        try (RawPgClient a = proxy.rawLogin(startup);
                             RawPgClient d = direct(startup)) {
                            for (String sql : statements) {
                                String why = mode + (extended ? ", extended: " : ": ") + statements + ", " + sql;
                                if (extended && !sql.contains(";")) {
                                    assertEquals(withRows(extended(d, sql)), withRows(extended(a, sql)), why);
                                } else {
                                    assertEquals(withRows(query(d, sql)), withRows(query(a, sql)), why);
                                }
                            }
                            assertEquals(row(d, SETTINGS), row(a, SETTINGS), mode + ": " + statements);
                        }
                    }
                }
            }
        }
    }

    /** As {@link #describe}, with what each DataRow holds. */
    private static String withRows(List<BackendMessage> reply) {
        StringBuilder result = new StringBuilder(describe(reply));
        for (BackendMessage each : reply) {
            if (each.type() == 'D') {
                result.append(' ').append(each.dataRowText());
            }
        }
        return result.toString();
    }

    private static List<BackendMessage> query(RawPgClient client, String sql) {
        client.query(sql);
        return client.readUntilReady();
    }

    /** The reply to an unnamed Parse, Bind, Execute and Sync of {@code sql}. */
    private static List<BackendMessage> extended(RawPgClient client, String sql) {
        client.parse("", sql);
        client.bind("", "");
        client.execute("", 0);
        client.sync();
        return client.readUntilReady();
    }

    @Test
    void resetRestoresTheStartupValueForAClientWithItsOwnServerToo() {
        Map<String, String> startup = new LinkedHashMap<>();
        startup.put("application_name", "app1");
        startup.put("options", "-c work_mem=5MB");
        for (String mode : List.of("session", "pinned")) {
            ProxyFixture.Config config = ProxyFixture.config(cluster).poolSize(1);
            if (mode.equals("session")) {
                config.set("pool_mode", "session");
            }
            try (ProxyFixture proxy = config.start();
                 RawPgClient a = proxy.rawLogin(startup);
                 RawPgClient d = direct(startup)) {
                if (mode.equals("pinned")) {
                    both(a, d, "LISTEN pgmux_pinned");
                }
                for (String reset : List.of("RESET application_name; RESET work_mem", "RESET ALL", "DISCARD ALL")) {
                    both(a, d, "SET application_name = 'x'; SET work_mem = '1MB'");
                    both(a, d, reset);
                    assertEquals(row(d, SETTINGS), row(a, SETTINGS), mode + ", " + reset);
                }
            }
        }
    }

    @Test
    void startupOptionsAreReadAsThePostgresServerReadsThem() throws Exception {
        ClusterAdmin.appDdl(cluster, "create schema if not exists opt_a",
                "create table if not exists opt_a.opt_t (x int)");
        Map<String, String> startup = Map.of("options",
                "-c search_path=nowhere,opt_a --statement-timeout=7s -c application_name=with\\ space"
                        + " -c myapp.note=a,\\ b");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             RawPgClient a = proxy.rawLogin(startup);
             RawPgClient d = direct(startup)) {
            both(a, d, "select count(*) from opt_t");
            sameSettingsOnNewServers(proxy, a, d, "startup options");
            both(a, d, "select count(*) from opt_t");
        }
    }
}
