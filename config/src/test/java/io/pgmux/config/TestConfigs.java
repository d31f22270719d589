package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Shorthands for tests: parse YAML with a fake environment and find the problem reported at a path. */
final class TestConfigs {
    static final String SOURCE = "pgmux.yaml";

    private TestConfigs() {
    }

    static PgmuxConfig parse(String yaml) {
        return parse(yaml, Map.of());
    }

    static PgmuxConfig parse(String yaml, Map<String, String> env) {
        return ConfigLoader.parse(yaml, SOURCE, env);
    }

    static ConfigException problems(String yaml) {
        return problems(yaml, Map.of());
    }

    static ConfigException problems(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> parse(yaml, env));
    }

    /** The only problem reported at {@code path}; fails listing everything reported otherwise. */
    static ConfigProblem problemAt(ConfigException e, String path) {
        List<ConfigProblem> matches = e.problems().stream()
                .filter(p -> p.path().equals(path))
                .collect(Collectors.toList());
        if (matches.size() != 1) {
            fail("expected exactly one problem at '" + path + "', got:\n" + e.getMessage());
        }
        return matches.get(0);
    }

    /** Asserts exactly one problem at {@code path}, on {@code line}, whose message contains {@code fragment}. */
    static ConfigProblem assertProblem(ConfigException e, String path, int line, String fragment) {
        ConfigProblem problem = problemAt(e, path);
        assertEquals(line, problem.line(), () -> "line of " + problem);
        assertTrue(problem.message().contains(fragment),
                () -> "'" + problem.message() + "' should contain '" + fragment + "'");
        return problem;
    }

    /** Asserts the configuration produced exactly one problem, and returns it. */
    static ConfigProblem onlyProblem(ConfigException e) {
        assertEquals(1, e.problems().size(), e::getMessage);
        return e.problems().get(0);
    }
}
