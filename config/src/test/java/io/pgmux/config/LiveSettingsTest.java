package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LiveSettingsTest {
    private final PgmuxConfig config = TestConfigs.parse("""
            databases: {app: {}}
            users: [{name: u, password: p, tenant: t}]
            tenants: {t: {pool_size: 3}}
            """);

    @Test
    void aSettingIsReadAsTheFileReadsItAndNothingElseChanges() {
        PgmuxConfig next = LiveSettings.apply(config, "query_timeout", "1500ms");
        assertEquals(Duration.ofMillis(1500), next.timeouts().queryTimeout());
        assertEquals(config.timeouts().queryWaitTimeout(), next.timeouts().queryWaitTimeout());
        assertEquals(config.databases(), next.databases());
        assertEquals(config.users(), next.users());
        assertEquals(config.tenants(), next.tenants());
        assertEquals(Duration.ofSeconds(30), LiveSettings.apply(config, "QUERY_WAIT_TIMEOUT", "30").timeouts()
                .queryWaitTimeout(), "a bare number is seconds, as in the file and PgBouncer");
        assertEquals(77, LiveSettings.apply(config, "max_client_conn", "77").maxClientConnections());
        assertEquals(PoolMode.SESSION, LiveSettings.apply(config, "pool_mode", "session").poolMode());
        assertTrue(LiveSettings.apply(config, "log_connections", "on").log().logConnections());
        assertEquals(Duration.ofMillis(250), LiveSettings.apply(config, "log_slow_query", "250ms").log()
                .logSlowQuery());
        assertEquals("", LiveSettings.apply(config, "server_check_query", "").timeouts().serverCheckQuery());
        PgmuxConfig always = LiveSettings.apply(config, "server_reset_query_always", "on");
        assertTrue(always.serverResetQueryAlways(), "PgBouncer changes it on RELOAD and SET too");
        assertEquals(config.serverResetQuery(), always.serverResetQuery());
        assertTrue(LiveSettings.apply(always, "max_client_conn", "77").serverResetQueryAlways(),
                "kept when another setting changes");
    }

    @Test
    void aValueThatDoesNotFitSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LiveSettings.apply(config, "query_timeout", "soon"));
        assertTrue(e.getMessage().startsWith("query_timeout: expected a duration"), e.getMessage());
        assertTrue(e.getMessage().endsWith("got \"soon\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LiveSettings.apply(config, "max_client_connections", "0"));
        assertThrows(IllegalArgumentException.class, () -> LiveSettings.apply(config, "pool_mode", "statement"));
        assertThrows(IllegalArgumentException.class, () -> LiveSettings.apply(config, "listen.port", "1"));
    }

    @Test
    void restartOnlyAndFileOnlySettingsAreNotSettable() {
        assertTrue(LiveSettings.needsRestart("listen.port"));
        assertTrue(LiveSettings.needsRestart("server_connect_timeout"));
        assertFalse(LiveSettings.isSettable("listen.port"));
        assertFalse(LiveSettings.isSettable("default_pool_size"));
        assertFalse(LiveSettings.isSettable("auth_type"));
        assertTrue(LiveSettings.isSettable("query_timeout"));
        assertTrue(LiveSettings.keys().contains("log_pooler_errors"));
    }
}
