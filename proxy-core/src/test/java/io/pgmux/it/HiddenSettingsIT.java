package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
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
}
