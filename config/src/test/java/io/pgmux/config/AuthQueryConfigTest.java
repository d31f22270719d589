package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.parse;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** auth_user, auth_query, auth_dbname and the cache lifetime, globally and per database. */
final class AuthQueryConfigTest {
    @Test
    void offUnlessAnAuthUserApplies() {
        PgmuxConfig config = parse("databases: {app: {}}\n");
        assertEquals(Optional.empty(), config.authQuery());
        assertEquals(Optional.empty(), config.authQueryFor("app"));
    }

    @Test
    void globalAuthUserWithTheDefaultQuery() {
        PgmuxConfig config = parse("""
                auth_user: pgmux_auth
                databases: {app: {}}
                users: [{name: pgmux_auth, password: secret}]
                """);
        AuthQueryConfig lookup = config.authQueryFor("app").orElseThrow();
        assertEquals(new AuthQueryConfig("pgmux_auth", AuthQueryConfig.DEFAULT_QUERY, Optional.empty(),
                Duration.ofSeconds(60)), lookup);
        assertEquals("app", lookup.databaseFor("app"));
        assertEquals(config.authQuery(), config.authQueryFor("app"));
        assertTrue(AuthQueryConfig.DEFAULT_QUERY.contains("pg_catalog.pg_authid"));
        assertTrue(AuthQueryConfig.DEFAULT_QUERY.contains("rolvaliduntil"));
        assertTrue(AuthQueryConfig.DEFAULT_QUERY.contains("rolcanlogin"));
    }

    @Test
    void databaseKeysOverrideTheGlobalOnes() {
        PgmuxConfig config = parse("""
                auth_user: lookup
                auth_query: SELECT usename, passwd FROM pgmux.get_auth($1)
                auth_dbname: auth
                auth_query_cache_ttl: 5m
                databases:
                  app: {}
                  auth: {}
                  other: {auth_user: other_lookup, auth_dbname: other}
                users:
                  - {name: lookup, password: pw}
                  - {name: other_lookup, password: md5d4350290006a60f4f340de539f4c7f88}
                """);
        AuthQueryConfig app = config.authQueryFor("app").orElseThrow();
        assertEquals("lookup", app.user());
        assertEquals("SELECT usename, passwd FROM pgmux.get_auth($1)", app.query());
        assertEquals("auth", app.databaseFor("app"));
        assertEquals(Duration.ofMinutes(5), app.cacheTtl());
        AuthQueryConfig other = config.authQueryFor("other").orElseThrow();
        assertEquals(new AuthQueryConfig("other_lookup", "SELECT usename, passwd FROM pgmux.get_auth($1)",
                Optional.of("other"), Duration.ofMinutes(5)), other);
    }

    @Test
    void perDatabaseOnly() {
        PgmuxConfig config = parse("""
                databases:
                  app: {auth_user: lookup}
                  plain: {}
                users: [{name: lookup, password: pw}]
                """);
        assertEquals("lookup", config.authQueryFor("app").orElseThrow().user());
        assertEquals(Optional.empty(), config.authQueryFor("plain"));
        assertEquals(Optional.empty(), config.authQuery());
    }

    @Test
    void referencesAreChecked() {
        ConfigException e = problems("""
                auth_user: nobody
                auth_dbname: nowhere
                databases:
                  app: {auth_user: verified_only}
                users:
                  - name: verified_only
                    password: "%s"
                """.formatted(StoredPasswordTest.PG_PENCIL));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "auth_user", 1, "user \"nobody\" is not defined in users (defined: verified_only); pgmux"
                + " logs in as it to run auth_query");
        assertProblem(e, "auth_dbname", 2, "database \"nowhere\" is not defined in databases (defined: app)");
        assertProblem(e, "databases.app.auth_user", 4, "has only a SCRAM verifier, which cannot log in");
    }

    @Test
    void aVerifierWithAServerPasswordBesideItIsFine() {
        PgmuxConfig config = parse("""
                auth_user: lookup
                databases: {app: {}}
                users:
                  - {name: lookup, password: "%s", server_password: pw}
                """.formatted(StoredPasswordTest.PG_PENCIL));
        assertEquals("lookup", config.authQueryFor("app").orElseThrow().user());
    }

    @Test
    void queryAndDatabaseWithoutAUserHaveNoEffect() {
        ConfigException e = problems("""
                auth_query: SELECT 1, $1
                databases:
                  app: {auth_dbname: app}
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "auth_query", 1, "has no effect without auth_user");
        assertProblem(e, "databases.app.auth_dbname", 3, "has no effect without auth_user");
    }

    @Test
    void theQueryMustTakeTheUserName() {
        assertProblem(problems("""
                auth_user: lookup
                auth_query: SELECT usename, passwd FROM pg_shadow
                databases: {app: {}}
                users: [{name: lookup, password: pw}]
                """), "auth_query", 2, "expected a query that uses $1 for the user name");
    }
}
