package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The most specific setting wins: user, then database, then global. */
final class PrecedenceTest {
    private static final PgmuxConfig CONFIG = TestConfigs.parse("""
            pool_mode: transaction
            pinning: error
            default_tenant: shared
            databases:
              app: {}
              reports: {pool_mode: session, pinning: ignore}
            users:
              - name: alice
              - name: batch
                tenant: jobs
                pool_mode: transaction
                pinning: pin
            tenants:
              shared: {pool_size: 2}
              jobs: {pool_size: 8}
            """);

    @Test
    void poolModeFallsBackToGlobal() {
        assertEquals(PoolMode.TRANSACTION, CONFIG.poolModeFor("app", "alice"));
        assertEquals(PoolMode.TRANSACTION, CONFIG.poolModeFor("unknown-db", "unknown-user"));
    }

    @Test
    void databasePoolModeBeatsGlobal() {
        assertEquals(PoolMode.SESSION, CONFIG.poolModeFor("reports", "alice"));
        assertEquals(PoolMode.SESSION, CONFIG.poolModeFor("reports", "unknown-user"));
    }

    @Test
    void userPoolModeBeatsDatabase() {
        assertEquals(PoolMode.TRANSACTION, CONFIG.poolModeFor("reports", "batch"));
    }

    @Test
    void pinningUsesTheSamePrecedence() {
        assertEquals(PinningPolicy.ERROR, CONFIG.pinningFor("app", "alice"));
        assertEquals(PinningPolicy.IGNORE, CONFIG.pinningFor("reports", "alice"));
        assertEquals(PinningPolicy.PIN, CONFIG.pinningFor("reports", "batch"));
        assertEquals(PinningPolicy.PIN, CONFIG.pinningFor("app", "batch"));
    }

    @Test
    void tenantIsTheUsersOwnThenTheDefault() {
        assertEquals("jobs", CONFIG.tenantOf("batch").orElseThrow().name());
        assertEquals("shared", CONFIG.tenantOf("alice").orElseThrow().name());
        assertEquals("shared", CONFIG.tenantOf("not-listed").orElseThrow().name());
    }

    @Test
    void noTenantWithoutDefault() {
        PgmuxConfig config = TestConfigs.parse("""
                databases: {app: {}}
                users: [{name: alice}, {name: batch, tenant: jobs}]
                tenants: {jobs: {}}
                """);
        assertEquals(Optional.empty(), config.tenantOf("alice"));
        assertEquals(Optional.empty(), config.tenantOf("not-listed"));
        assertEquals("jobs", config.tenantOf("batch").orElseThrow().name());
    }

    @Test
    void lookupsOfUnknownNamesAreEmpty() {
        assertEquals(Optional.empty(), CONFIG.user("nobody"));
        assertEquals(Optional.empty(), CONFIG.database("nothing"));
    }
}
