package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.onlyProblem;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every kind of problem, each reported at the right key path and line. */
final class ValidationTest {
    @Test
    void badPortReadsLikeTheDocumentation() {
        ConfigException e = problems("""
                databases:
                  app:
                    host: 127.0.0.1
                    port: abc
                """);
        assertEquals("pgmux.yaml:4: databases.app.port: expected an integer from 1 to 65535, got \"abc\"",
                onlyProblem(e).toString());
        assertEquals(e.problems().get(0).toString(), e.getMessage());
    }

    @Test
    void portsMustBeInRange() {
        ConfigException e = problems("""
                listen: {port: 0}
                databases:
                  app: {port: 65536}
                metrics:
                  port: -1
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "listen.port", 1, "got \"0\"");
        assertProblem(e, "databases.app.port", 3, "got \"65536\"");
        assertProblem(e, "metrics.port", 5, "got \"-1\"");
    }

    @Test
    void metricsMayNotShareTheClientPort() {
        ConfigException e = problems("""
                listen: {host: 127.0.0.1, port: 7000}
                databases: {app: {}}
                metrics:
                  host: 0.0.0.0
                  port: 7000
                """);
        assertProblem(e, "metrics.port", 5, "cannot share port 7000 with listen.port");
        // Another host, or the endpoint switched off: no clash.
        TestConfigs.parse("listen: {host: 127.0.0.1, port: 7000}\ndatabases: {app: {}}\n"
                + "metrics: {host: 127.0.0.2, port: 7000}\n");
        TestConfigs.parse("listen: {port: 7000}\ndatabases: {app: {}}\nmetrics: {enabled: false, port: 7000}\n");
    }

    @Test
    void pgbouncerCompatIsABoolean() {
        ConfigException e = problems("databases: {app: {}}\nmetrics: {pgbouncer_compat: maybe}\n");
        assertProblem(e, "metrics.pgbouncer_compat", 2, "maybe");
    }

    @Test
    void logSettingsAreReadAndChecked() {
        assertEquals(new LogConfig(false, 95, true, true, false, java.time.Duration.ofMillis(250)),
                TestConfigs.parse("databases: {app: {}}\nlog_stats: false\nutilization_warn_percent: 95\n"
                        + "log_connections: on\nlog_disconnections: true\nlog_pooler_errors: off\n"
                        + "log_slow_query: 250ms\n").log());
        assertProblem(problems("databases: {app: {}}\nutilization_warn_percent: 1001\n"),
                "utilization_warn_percent", 2, "1001");
        assertProblem(problems("databases: {app: {}}\nlog_stats: sometimes\n"), "log_stats", 2, "sometimes");
        assertProblem(problems("databases: {app: {}}\nlog_slow_query: soon\n"), "log_slow_query", 2, "soon");
        assertProblem(problems("databases: {app: {}}\nlog_connections: 2\n"), "log_connections", 2, "2");
    }

    @Test
    void negativeCountsAreRejected() {
        ConfigException e = problems("""
                databases:
                  app: {max_connections: -5}
                workers: -1
                max_server_connections: -1
                max_prepared_statements: -1
                default_pool_size: 0
                max_client_connections: 0
                """);
        assertEquals(6, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.max_connections", 2, "expected a non-negative integer, got \"-5\"");
        assertProblem(e, "workers", 3, "non-negative");
        assertProblem(e, "max_server_connections", 4, "non-negative");
        assertProblem(e, "max_prepared_statements", 5, "non-negative");
        assertProblem(e, "default_pool_size", 6, "expected a positive integer, got \"0\"");
        assertProblem(e, "max_client_connections", 7, "positive");
    }

    @Test
    void integersMustBeWholeNumbersThatFit() {
        ConfigException e = problems("""
                databases: {app: {}}
                workers: 1.5
                max_prepared_statements: 99999999999
                default_pool_size: 0x10
                """);
        assertProblem(e, "workers", 2, "got \"1.5\"");
        assertProblem(e, "max_prepared_statements", 3, "got \"99999999999\"");
        assertProblem(e, "default_pool_size", 4, "got \"0x10\"");
    }

    @Test
    void wrongShapesAreReported() {
        ConfigException e = problems("""
                listen: [127.0.0.1, 6432]
                databases:
                  app:
                    host: {name: x}
                    dbname: [a, b]
                metrics: true
                """);
        assertEquals(4, e.problems().size(), e.getMessage());
        assertProblem(e, "listen", 1, "expected a mapping, got a list");
        assertProblem(e, "databases.app.host", 4, "expected a non-empty string, got a mapping");
        assertProblem(e, "databases.app.dbname", 5, "expected a non-empty string, got a list");
        assertProblem(e, "metrics", 6, "expected a mapping, got \"true\"");
    }

    @Test
    void enumValuesAreChecked() {
        ConfigException e = problems("""
                pool_mode: statement
                auth_type: scram
                pinning: always
                databases:
                  app: {pool_mode: sessions, pinning: nope}
                metrics: {enabled: maybe}
                """);
        assertEquals(6, e.problems().size(), e.getMessage());
        assertProblem(e, "pool_mode", 1, "expected session or transaction, got \"statement\"");
        assertProblem(e, "auth_type", 2, "expected trust, password, md5, scram-sha-256, reject or cert, got \"scram\"");
        assertProblem(e, "pinning", 3, "expected pin, error or ignore, got \"always\"");
        assertProblem(e, "databases.app.pool_mode", 5, "got \"sessions\"");
        assertProblem(e, "databases.app.pinning", 5, "got \"nope\"");
        assertProblem(e, "metrics.enabled", 6, "expected true or false (or on/off, yes/no, 1/0), got \"maybe\"");
    }

    /** PgBouncer's files write booleans as 1 and 0; PostgreSQL reads those too. */
    @Test
    void booleansTakePgBouncersOneAndZero() {
        PgmuxConfig config = TestConfigs.parse("""
                server_reset_query_always: 1
                log_disconnections: 0
                log_connections: 1
                databases:
                  app:
                """);
        assertTrue(config.serverResetQueryAlways());
        assertTrue(config.log().logConnections());
        assertFalse(config.log().logDisconnections());
    }

    @Test
    void emptyStringsAreRejectedWhereANameIsNeeded() {
        ConfigException e = problems("""
                listen: {host: ""}
                databases:
                  app: {dbname: "", user: ""}
                """);
        assertProblem(e, "listen.host", 1, "expected a non-empty string, got \"\"");
        assertProblem(e, "databases.app.dbname", 3, "non-empty");
        assertProblem(e, "databases.app.user", 3, "non-empty");
    }

    @Test
    void missingDatabasesIsAProblem() {
        ConfigException e = problems("""
                listen: {port: 6432}
                pool_mode: session
                """);
        assertProblem(onlyProblemOf(e), "databases", 1, "required");
    }

    @Test
    void emptyDatabasesIsAProblem() {
        ConfigException e = problems("""
                pool_mode: session
                databases: {}
                """);
        assertProblem(onlyProblemOf(e), "databases", 2, "at least one database is required");
    }

    @Test
    void databasesAsAListIsReportedOnce() {
        ConfigException e = problems("databases:\n  - app\n");
        assertProblem(onlyProblemOf(e), "databases", 2, "expected a mapping, got a list");
    }

    @Test
    void emptyFileNeedsDatabases() {
        assertProblem(onlyProblemOf(problems("")), "databases", 1, "required");
        assertProblem(onlyProblemOf(problems("# only a comment\n")), "databases", 1, "required");
    }

    @Test
    void rootMustBeAMapping() {
        ConfigProblem problem = onlyProblem(problems("- databases\n"));
        assertEquals("", problem.path());
        assertTrue(problem.message().startsWith("expected a mapping, got a list"), problem.message());
    }

    @Test
    void reservedAdminDatabase() {
        ConfigException e = problems("""
                databases:
                  app: {}
                  pgmux:
                    host: 127.0.0.1
                """);
        assertProblem(onlyProblemOf(e), "databases.pgmux", 3, "reserved for the admin console");
    }

    @Test
    void onlyTheReservedDatabaseStillCountsAsReservedNotMissing() {
        assertProblem(onlyProblemOf(problems("databases:\n  pgmux: {}\n")), "databases.pgmux", 2, "reserved");
    }

    @Test
    void reservedNameMayStillBeTheServerDbname() {
        assertEquals("pgmux", TestConfigs.parse("databases: {console: {dbname: pgmux}}")
                .database("console").orElseThrow().dbname());
    }

    @Test
    void emptyDatabaseAndTenantNames() {
        ConfigException e = problems("""
                databases:
                  app: {}
                  "": {}
                tenants:
                  "": {}
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.\"\"", 3, "must not be empty");
        assertProblem(e, "tenants.\"\"", 5, "must not be empty");
    }

    @Test
    void userNameIsRequiredAndNonEmpty() {
        ConfigException e = problems("""
                databases: {app: {}}
                users:
                  - password: x
                  - name: ""
                  - name:
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "users[0].name", 3, "required");
        assertProblem(e, "users[1].name", 4, "expected a non-empty string, got \"\"");
        assertProblem(e, "users[2].name", 5, "required");
    }

    @Test
    void usersMustBeAListOfMappings() {
        assertProblem(onlyProblemOf(problems("databases: {app: {}}\nusers:\n  api: {password: x}\n")),
                "users", 3, "expected a list of users");
        assertProblem(onlyProblemOf(problems("databases: {app: {}}\nusers:\n  - api\n")),
                "users[0]", 3, "expected a mapping, got \"api\"");
    }

    @Test
    void duplicateUserNames() {
        ConfigException e = problems("""
                databases: {app: {}}
                users:
                  - name: api
                    password: one
                  - name: worker
                  - name: api
                    password: two
                """);
        assertProblem(onlyProblemOf(e), "users[2].name", 6, "duplicate user \"api\"; first defined at line 3");
    }

    @Test
    void userTenantMustBeDefined() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants:
                  web: {}
                  batch: {}
                users:
                  - name: api
                    tenant: wbe
                """);
        assertEquals("pgmux.yaml:7: users[0].tenant: tenant \"wbe\" is not defined in tenants (defined: web, batch)",
                onlyProblem(e).toString());
    }

    @Test
    void tenantReferenceWithNoTenantsAtAll() {
        ConfigException e = problems("databases: {app: {}}\nusers: [{name: api, tenant: web}]\n");
        assertProblem(onlyProblemOf(e), "users[0].tenant", 2, "no tenants are defined");
    }

    @Test
    void tenantWithBadValuesStillCountsAsDefined() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants:
                  web: {weight: 0}
                users: [{name: api, tenant: web}]
                """);
        assertProblem(onlyProblemOf(e), "tenants.web.weight", 3, "expected a positive integer, got \"0\"");
    }

    @Test
    void defaultTenantMustBeDefined() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants: {web: {}}
                default_tenant: scripts
                """);
        assertProblem(onlyProblemOf(e), "default_tenant", 3, "tenant \"scripts\" is not defined in tenants");
    }

    @Test
    void adminUsersMustBeDefinedUsers() {
        ConfigException e = problems("""
                databases: {app: {}}
                users:
                  - name: api
                admin:
                  users:
                    - api
                    - root
                """);
        assertProblem(onlyProblemOf(e), "admin.users[1]", 7, "user \"root\" is not defined in users (defined: api)");
    }

    @Test
    void adminUsersMustBeAList() {
        ConfigException e = problems("databases: {app: {}}\nusers: [{name: admin}]\nadmin: {users: admin}\n");
        assertProblem(onlyProblemOf(e), "admin.users", 3, "expected a list of user names, got \"admin\"");
    }

    @Test
    void statsUsersMustBeDefinedUsers() {
        ConfigException e = problems("""
                databases: {app: {}}
                users:
                  - name: api
                  - name: monitor
                admin:
                  stats_users: [monitor, exporter]
                """);
        assertProblem(onlyProblemOf(e), "admin.stats_users[1]", 6,
                "user \"exporter\" is not defined in users (defined: api, monitor)");
    }

    @Test
    void statsUsersMustBeAList() {
        ConfigException e = problems("databases: {app: {}}\nusers: [{name: monitor}]\nadmin: {stats_users: monitor}\n");
        assertProblem(onlyProblemOf(e), "admin.stats_users", 3, "expected a list of user names, got \"monitor\"");
    }

    @Test
    void adminAndStatsUsersAreReadSeparately() {
        PgmuxConfig config = TestConfigs.parse("""
                databases: {app: {}}
                users: [{name: root}, {name: monitor}, {name: api}]
                admin:
                  users: [root]
                  stats_users: [monitor, root]
                """);
        assertEquals(List.of("root"), config.admin().users());
        assertEquals(List.of("monitor", "root"), config.admin().statsUsers());
        assertTrue(config.admin().isAdmin("root"));
        assertFalse(config.admin().isAdmin("monitor"));
        assertTrue(config.admin().mayRead("monitor"));
        assertTrue(config.admin().mayRead("root"));
        assertFalse(config.admin().mayRead("api"));
    }

    @Test
    void minPoolSizeMustNotExceedPoolSize() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants:
                  web:
                    pool_size: 4
                    min_pool_size: 5
                """);
        assertProblem(onlyProblemOf(e), "tenants.web.min_pool_size", 5,
                "min_pool_size (5) must not exceed pool_size (4)");
    }

    @Test
    void maxServerConnectionsMustCoverPoolSize() {
        ConfigException e = problems("""
                databases: {app: {}}
                default_pool_size: 6
                tenants:
                  web: {pool_size: 10, max_server_connections: 9}
                  batch:
                    max_server_connections: 3
                  ok: {pool_size: 2, reserve_pool_size: 5, max_server_connections: 2}
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "tenants.web.max_server_connections", 4, "must be at least pool_size (10)");
        assertProblem(e, "tenants.batch.max_server_connections", 6, "pool_size (6, from default_pool_size)");
    }

    @Test
    void badPoolSizeDoesNotCascadeIntoConsistencyProblems() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants:
                  web: {pool_size: lots, min_pool_size: 50, max_server_connections: 1}
                """);
        assertProblem(onlyProblemOf(e), "tenants.web.pool_size", 3, "got \"lots\"");
    }

    @Test
    void tenantValuesAreChecked() {
        ConfigException e = problems("""
                databases: {app: {}}
                tenants:
                  web:
                    pool_size: 0
                    reserve_pool_size: -1
                    reserve_pool_timeout: soon
                    max_client_connections: -1
                    query_wait_timeout: 10 s
                    weight: 0
                  gui: 5
                """);
        assertEquals(7, e.problems().size(), e.getMessage());
        assertProblem(e, "tenants.web.pool_size", 4, "positive");
        assertProblem(e, "tenants.web.reserve_pool_size", 5, "non-negative");
        assertProblem(e, "tenants.web.reserve_pool_timeout", 6, "expected a duration");
        assertProblem(e, "tenants.web.max_client_connections", 7, "non-negative");
        assertProblem(e, "tenants.web.query_wait_timeout", 8, "got \"10 s\"");
        assertProblem(e, "tenants.web.weight", 9, "positive");
        assertProblem(e, "tenants.gui", 10, "expected a mapping, got \"5\"");
    }

    @Test
    void duplicateKeysAreProblems() {
        ConfigException e = problems("""
                pool_mode: session
                databases:
                  app: {port: 5432, port: 5433}
                  app: {}
                pool_mode: transaction
                """);
        assertEquals(3, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.port", 3, "duplicate key; first defined at line 3");
        assertProblem(e, "databases.app", 4, "duplicate key; first defined at line 3");
        assertProblem(e, "pool_mode", 5, "duplicate key; first defined at line 1");
    }

    @Test
    void complexKeysAreRejected() {
        ConfigException e = problems("databases: {app: {}}\n? [a, b]\n: 1\n");
        assertTrue(onlyProblem(e).message().startsWith("keys must be plain names, got a list"), e.getMessage());
        assertEquals(2, e.problems().get(0).line());
    }

    @Test
    void mergeKeysAreRejectedWithAnExplanation() {
        ConfigException e = problems("""
                base: &base {port: 5433}
                databases:
                  app:
                    <<: *base
                """);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "base", 1, "unknown key");
        assertProblem(e, "databases.app.<<", 4, "merge keys (<<) are not supported");
    }

    @Test
    void anchorsAndAliasesWork() {
        PgmuxConfig config = TestConfigs.parse("""
                databases:
                  app: &db {host: db.internal, port: 5433}
                  app2: *db
                """);
        assertEquals("db.internal", config.database("app2").orElseThrow().host());
        assertEquals("app2", config.database("app2").orElseThrow().dbname());
    }

    @Test
    void invalidYamlReportsTheLine() {
        ConfigException e = problems("""
                databases:
                  app:
                    host: 127.0.0.1
                   port: 5432
                """);
        ConfigProblem problem = onlyProblem(e);
        assertEquals(4, problem.line());
        assertTrue(problem.message().startsWith("invalid YAML: "), problem.message());
    }

    /** The parser finds an unclosed [ wanting on the next key's line: the message names where the [ began. */
    @Test
    void anUnclosedFlowSequenceNamesTheLineItBeganOn() {
        ConfigProblem problem = onlyProblem(problems("""
                databases:
                  app:
                tenants:
                  t:
                    pool_size: [8
                admin:
                  users: [a]
                """));
        assertEquals(6, problem.line());
        assertTrue(problem.message().contains("that began on line 5"), problem.message());
    }

    @Test
    void multipleDocumentsAreInvalid() {
        ConfigProblem problem = onlyProblem(problems("databases: {a: {}}\n---\ndatabases: {b: {}}\n"));
        assertTrue(problem.message().startsWith("invalid YAML: "), problem.message());
    }

    @Test
    void everyProblemIsReportedTogetherInFileOrder() {
        ConfigException e = problems("""
                listen:
                  port: 99999
                pool_mode: sometimes
                databases:
                  pgmux: {}
                  app:
                    port: x
                    colour: blue
                users:
                  - name: api
                    tenant: ghost
                  - name: api
                admin: {users: [nobody]}
                default_tenant: ghost
                """);
        List<Integer> lines = e.problems().stream().map(ConfigProblem::line).collect(Collectors.toList());
        assertEquals(List.of(2, 3, 5, 7, 8, 11, 12, 13, 14), lines, e.getMessage());
        List<String> messageLines = e.getMessage().lines().collect(Collectors.toList());
        assertEquals(9, messageLines.size());
        assertEquals("pgmux.yaml:2: listen.port: expected an integer from 1 to 65535, got \"99999\"",
                messageLines.get(0));
        assertTrue(messageLines.get(8).startsWith("pgmux.yaml:14: default_tenant: "), messageLines.get(8));
    }

    /** Asserts there is exactly one problem and hands the exception back for {@code assertProblem}. */
    private static ConfigException onlyProblemOf(ConfigException e) {
        onlyProblem(e);
        return e;
    }
}
