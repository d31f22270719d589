package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.onlyProblem;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PgBouncer's setting names are refused, each with what pgmux reads instead, not the list of every key. */
final class PgBouncerNamesTest {
    @Test
    void aTopLevelNameIsToldPgmuxsName() {
        ConfigProblem problem = onlyProblem(problems("""
                listen: {port: 6432}
                databases: {app: {}}

                max_client_conn: 150
                """));
        assertEquals("max_client_conn", problem.path());
        assertEquals(4, problem.line());
        assertEquals("PgBouncer's name; pgmux reads max_client_connections", problem.message());
        assertEquals("pgmux.yaml:4: max_client_conn: PgBouncer's name; pgmux reads max_client_connections",
                problem.toString());
    }

    @Test
    void aNameMovedToAnotherSectionSaysWhere() {
        ConfigException e = problems("""
                databases: {app: {}}
                listen_port: 6432
                admin_users: [api]
                max_db_connections: 50
                """);
        assertProblem(e, "listen_port", 2, "PgBouncer's name; pgmux reads listen.port");
        assertProblem(e, "admin_users", 3, "PgBouncer's name; pgmux reads admin.users");
        assertProblem(e, "max_db_connections", 4,
                "PgBouncer's setting; pgmux caps server connections per database: databases.<name>.max_connections");
    }

    @Test
    void aSettingPgmuxHasNoneOfSaysWhatPgmuxDoesInstead() {
        ConfigProblem problem = onlyProblem(problems("""
                databases: {app: {}}
                ignore_startup_parameters: extra_float_digits
                """));
        assertTrue(problem.message().startsWith("PgBouncer's setting; pgmux needs no list: it keeps every startup"
                + " parameter"), problem.message());
        assertFalse(problem.message().contains("expected one of"), problem.message());
    }

    @Test
    void databaseUserAndTenantKeysAreToldTheirPlace() {
        ConfigException e = problems("""
                databases:
                  app:
                    max_db_connections: 40
                    pool_size: 10
                users:
                  - name: api
                    password: x
                    max_user_connections: 5
                tenants:
                  web:
                    max_user_connections: 5
                """);
        assertEquals(4, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.max_db_connections", 3, "PgBouncer's name; pgmux reads max_connections");
        assertProblem(e, "databases.app.pool_size", 4,
                "PgBouncer's setting; pool sizes are per tenant in pgmux: tenants.<name>.pool_size");
        assertProblem(e, "users[0].max_user_connections", 8,
                "PgBouncer's setting; pgmux caps server connections per tenant (whose users share it):"
                        + " tenants.<name>.max_server_connections");
        assertProblem(e, "tenants.web.max_user_connections", 11, "PgBouncer's name; pgmux reads max_server_connections");
    }

    @Test
    void aNameIsOnlyPgBouncersInItsOwnSection() {
        // listen_port means nothing inside a database: a plain unknown key there.
        assertProblem(problems("databases: {app: {listen_port: 1}}\n"), "databases.app.listen_port", 1,
                "unknown key; expected one of: host, port,");
        assertEquals(Optional.empty(), PgBouncerNames.hint(PgBouncerNames.Section.OTHER, "max_client_conn"));
        assertEquals(Optional.empty(), PgBouncerNames.hint(PgBouncerNames.Section.TOP, "max_client_connections"));
    }
}
