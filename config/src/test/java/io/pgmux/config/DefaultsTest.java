package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class DefaultsTest {
    private static final PgmuxConfig MINIMAL = TestConfigs.parse("databases:\n  app:\n");

    @Test
    void globalDefaults() {
        assertEquals(new ListenConfig("127.0.0.1", 6432), MINIMAL.listen());
        assertEquals(PoolMode.TRANSACTION, MINIMAL.poolMode());
        assertEquals(AuthType.SCRAM_SHA_256, MINIMAL.authType());
        assertEquals(5, MINIMAL.defaultPoolSize());
        assertEquals(Optional.empty(), MINIMAL.defaultTenant());
        assertEquals(10000, MINIMAL.maxClientConnections());
        assertEquals(0, MINIMAL.maxServerConnections());
        assertEquals(64 * 1024 * 1024, MINIMAL.maxMessageSize());
        assertEquals(0, MINIMAL.workers());
        assertEquals(IoTransport.AUTO, MINIMAL.transport());
        assertEquals("DISCARD ALL", MINIMAL.serverResetQuery());
        assertEquals(false, MINIMAL.serverResetQueryAlways(), "PgBouncer's default: session mode only");
        assertEquals(PinningPolicy.PIN, MINIMAL.pinning());
        assertEquals(200, MINIMAL.maxPreparedStatements());
        assertEquals(List.of(), MINIMAL.admin().users());
        assertEquals(List.of(), MINIMAL.admin().statsUsers());
        assertEquals(new MetricsConfig(true, "127.0.0.1", 9930, false), MINIMAL.metrics());
        assertEquals(new LogConfig(true, 80, false, false, true, java.time.Duration.ZERO), MINIMAL.log());
        assertTrue(MINIMAL.users().isEmpty());
        assertTrue(MINIMAL.tenants().isEmpty());
    }

    @Test
    void workersZeroRunsOneEventLoopPerTwoCoresAndAtLeastOne() {
        assertEquals(1, MINIMAL.eventLoops(1));
        assertEquals(1, MINIMAL.eventLoops(2));
        assertEquals(1, MINIMAL.eventLoops(3));
        assertEquals(2, MINIMAL.eventLoops(4));
        assertEquals(8, MINIMAL.eventLoops(16));
        PgmuxConfig three = TestConfigs.parse("workers: 3\ndatabases:\n  app:\n");
        assertEquals(3, three.eventLoops(2), "a number set is taken as it is");
        assertEquals(3, three.eventLoops(64));
    }

    @Test
    void timeoutDefaults() {
        Timeouts t = MINIMAL.timeouts();
        assertEquals(Duration.ofSeconds(15), t.serverConnectTimeout());
        assertEquals(Duration.ofSeconds(1), t.serverLoginRetry());
        assertEquals(Duration.ofSeconds(600), t.serverIdleTimeout());
        assertEquals(Duration.ofSeconds(3600), t.serverLifetime());
        assertEquals(Duration.ofSeconds(30), t.serverCheckDelay());
        assertEquals("select 1", t.serverCheckQuery());
        assertEquals(Duration.ofSeconds(120), t.queryWaitTimeout());
        assertEquals(Duration.ofSeconds(5), t.queryWaitNotify());
        assertEquals(Duration.ZERO, t.queryTimeout());
        assertEquals(Duration.ZERO, t.clientIdleTimeout());
        assertEquals(Duration.ofSeconds(60), t.clientLoginTimeout());
        assertEquals(Duration.ZERO, t.idleTransactionTimeout());
        assertEquals(Timeouts.defaults(), t);
    }

    @Test
    void timeoutsAreReadFromTopLevelKeys() {
        Timeouts t = TestConfigs.parse("""
                databases: {app: {}}
                server_connect_timeout: 3s
                server_login_retry: 250ms
                server_idle_timeout: 5m
                server_lifetime: 2h
                server_check_delay: 0
                server_check_query: ""
                query_wait_timeout: 45
                query_wait_notify: 1s
                query_timeout: 30s
                client_idle_timeout: 1h
                client_login_timeout: 10s
                idle_transaction_timeout: 1m
                shutdown_timeout: 20s
                """).timeouts();
        assertEquals(new Timeouts(Duration.ofSeconds(3), Duration.ofMillis(250), Duration.ofMinutes(5),
                Duration.ofHours(2), Duration.ZERO, "", Duration.ofSeconds(45), Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
                Duration.ofSeconds(20)), t);
    }

    @Test
    void databaseDefaultsComeFromItsKey() {
        assertEquals(new DatabaseConfig("app", "127.0.0.1", 5432, "app", 0, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), ServerTlsConfig.defaults(), Optional.empty()),
                MINIMAL.database("app").orElseThrow());
    }

    @Test
    void databaseSettingsAreRead() {
        DatabaseConfig db = TestConfigs.parse("""
                databases:
                  reports:
                    host: db.internal
                    port: 5433
                    dbname: warehouse
                    max_connections: 7
                    pool_mode: session
                    user: reporter
                    password: ""
                    pinning: error
                """).database("reports").orElseThrow();
        assertEquals(new DatabaseConfig("reports", "db.internal", 5433, "warehouse", 7, Optional.of(PoolMode.SESSION),
                Optional.of("reporter"), Optional.of(""), Optional.of(PinningPolicy.ERROR), Optional.empty(),
                ServerTlsConfig.defaults(), Optional.empty()), db);
    }

    @Test
    void tenantDefaultsFollowDefaultPoolSize() {
        PgmuxConfig config = TestConfigs.parse("""
                default_pool_size: 7
                databases: {app: {}}
                tenants:
                  plain: {}
                  reserved: {reserve_pool_size: 3}
                """);
        assertEquals(new TenantConfig("plain", 7, 0, 0, Duration.ofSeconds(5), 7, 0, Optional.empty(), 1),
                config.tenants().get("plain"));
        assertEquals(10, config.tenants().get("reserved").maxServerConnections(),
                "max_server_connections defaults to pool_size + reserve_pool_size");
    }

    @Test
    void userOptionalsStayEmpty() {
        PgmuxConfig config = TestConfigs.parse("databases: {app: {}}\nusers: [{name: bob}]\n");
        assertEquals(new UserConfig("bob", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), config.user("bob").orElseThrow());
    }

    @Test
    void emptyValueMeansDefault() {
        PgmuxConfig config = TestConfigs.parse("databases: {app: {}}\nlisten:\n  port:\npool_mode: ~\n");
        assertEquals(6432, config.listen().port());
        assertEquals(PoolMode.TRANSACTION, config.poolMode());
    }

    @Test
    void globalSettingsAreRead() {
        PgmuxConfig config = TestConfigs.parse("""
                listen: {host: 0.0.0.0, port: 7432}
                pool_mode: SESSION
                auth_type: md5
                default_pool_size: 9
                max_client_connections: 50
                max_server_connections: 40
                max_message_size: 512kB
                workers: 4
                transport: io_uring
                server_reset_query: ""
                server_reset_query_always: on
                pinning: ignore
                max_prepared_statements: 0
                databases: {app: {}}
                metrics: {enabled: false, host: 0.0.0.0, port: 9100, pgbouncer_compat: true}
                """);
        assertEquals(new ListenConfig("0.0.0.0", 7432), config.listen());
        assertEquals(PoolMode.SESSION, config.poolMode());
        assertEquals(AuthType.MD5, config.authType());
        assertEquals(9, config.defaultPoolSize());
        assertEquals(50, config.maxClientConnections());
        assertEquals(40, config.maxServerConnections());
        assertEquals(512 * 1024, config.maxMessageSize());
        assertEquals(4, config.workers());
        assertEquals(IoTransport.IO_URING, config.transport());
        assertEquals("", config.serverResetQuery());
        assertEquals(true, config.serverResetQueryAlways());
        assertEquals(PinningPolicy.IGNORE, config.pinning());
        assertEquals(0, config.maxPreparedStatements());
        assertEquals(new MetricsConfig(false, "0.0.0.0", 9100, true), config.metrics());
    }

    @Test
    void quotedNumbersAreAccepted() {
        assertEquals(5433, TestConfigs.parse("databases: {app: {port: \"5433\"}}").database("app")
                .orElseThrow().port());
    }

    @Test
    void mapsKeepFileOrderAndAreUnmodifiable() {
        PgmuxConfig config = TestConfigs.parse("""
                databases: {zeta: {}, alpha: {}, mid: {}}
                users: [{name: zed}, {name: amy}, {name: max}]
                tenants: {z: {}, a: {}, m: {}}
                """);
        assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(config.databases().keySet()));
        assertEquals(List.of("zed", "amy", "max"), List.copyOf(config.users().keySet()));
        assertEquals(List.of("z", "a", "m"), List.copyOf(config.tenants().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> config.databases().remove("zeta"));
        assertThrows(UnsupportedOperationException.class, () -> config.users().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.tenants().put("x", null));
        assertThrows(UnsupportedOperationException.class, () -> config.admin().users().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> config.admin().statsUsers().add("x"));
    }
}
