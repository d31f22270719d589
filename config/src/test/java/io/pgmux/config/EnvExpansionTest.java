package io.pgmux.config;

import static io.pgmux.config.TestConfigs.assertProblem;
import static io.pgmux.config.TestConfigs.parse;
import static io.pgmux.config.TestConfigs.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ${VAR} expansion as seen through the loader: every scalar value, with problems at the right place. */
final class EnvExpansionTest {
    private static final String YAML = """
            listen:
              port: ${LISTEN_PORT:-6433}
            databases:
              app:
                host: ${DB_HOST}
            users:
              - name: api
                password: ${API_DB_PASSWORD}
            admin:
              users:
                - ${ADMIN:-api}
            """;

    @Test
    void expandsSetVariablesAndDefaults() {
        PgmuxConfig config = parse(YAML, Map.of("DB_HOST", "db.internal", "API_DB_PASSWORD", "s3cret"));
        assertEquals("db.internal", config.database("app").orElseThrow().host());
        assertEquals(Optional.of("s3cret"), config.user("api").orElseThrow().password());
        assertEquals(6433, config.listen().port());
        assertEquals(List.of("api"), config.admin().users());
    }

    @Test
    void expandedTextIsThenConvertedToTheKeyType() {
        PgmuxConfig config = parse(YAML, Map.of("DB_HOST", "h", "API_DB_PASSWORD", "p", "LISTEN_PORT", "7000"));
        assertEquals(7000, config.listen().port());
    }

    @Test
    void expandedTextOfTheWrongTypeIsAProblem() {
        ConfigException e = problems(YAML, Map.of("DB_HOST", "h", "API_DB_PASSWORD", "p", "LISTEN_PORT", "many"));
        assertProblem(e, "listen.port", 2, "expected an integer from 1 to 65535, got \"many\"");
    }

    @Test
    void missingVariablesAreProblemsNamingVariableAndPath() {
        ConfigException e = problems(YAML);
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "databases.app.host", 5, "DB_HOST");
        assertProblem(e, "users[0].password", 8, "API_DB_PASSWORD");
        assertEquals("pgmux.yaml:8: users[0].password: environment variable API_DB_PASSWORD is not set;"
                + " set it or write ${API_DB_PASSWORD:-default}", e.problems().get(1).toString());
    }

    @Test
    void dollarEscapesSurviveTheLoader() {
        PgmuxConfig config = parse("""
                databases: {app: {}}
                users:
                  - name: a
                    password: "pa$$word"
                  - name: b
                    password: cash$money
                """);
        assertEquals(Optional.of("pa$word"), config.user("a").orElseThrow().password());
        assertEquals(Optional.of("cash$money"), config.user("b").orElseThrow().password());
    }

    @Test
    void keysAreNotExpanded() {
        PgmuxConfig config = parse("databases: {\"${X}\": {}}", Map.of("X", "app"));
        assertEquals(List.of("${X}"), List.copyOf(config.databases().keySet()));
    }

    @Test
    void leftOutUnsetVariablesLeaveTheValueAtItsDefault() {
        PgmuxConfig config = ConfigLoader.parse(YAML + "max_client_connections: ${MAX_CLIENTS}\n", TestConfigs.SOURCE,
                Map.of("LISTEN_PORT", "7000"), java.nio.file.Path.of(""), UnsetVariables.LEAVE_OUT);
        assertEquals(7000, config.listen().port());
        assertEquals(List.of("api"), config.admin().users());
        assertEquals(DatabaseConfig.DEFAULT_HOST, config.database("app").orElseThrow().host());
        assertEquals(Optional.empty(), config.user("api").orElseThrow().password());
        assertEquals(ConfigBinder.DEFAULT_MAX_CLIENT_CONNECTIONS, config.maxClientConnections());
    }

    @Test
    void leftOutUnsetVariablesStillReportEveryOtherProblem() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(YAML
                        + "pool_mode: ${MODE\nmax_client_conn: 5\n", TestConfigs.SOURCE, Map.of(),
                java.nio.file.Path.of(""), UnsetVariables.LEAVE_OUT));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertProblem(e, "pool_mode", 12, "unterminated \"${\"");
        assertProblem(e, "max_client_conn", 13, "PgBouncer's name");
    }
}
