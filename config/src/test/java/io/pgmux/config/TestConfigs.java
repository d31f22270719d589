package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Parses with file names relative to {@code directory}. */
    static PgmuxConfig parseIn(Path directory, String yaml) {
        return ConfigLoader.parse(yaml, SOURCE, Map.of(), directory);
    }

    static ConfigException problemsIn(Path directory, String yaml) {
        return assertThrows(ConfigException.class, () -> parseIn(directory, yaml));
    }

    /**
     * Writes files that look like PEM certificates and keys to {@code directory} (the configuration checks only
     * their framing): server.crt, server.key, ca.crt, and rsa.key in the traditional OpenSSL form.
     */
    static void writePemFiles(Path directory) throws IOException {
        String certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        Files.writeString(directory.resolve("server.crt"), certificate);
        Files.writeString(directory.resolve("ca.crt"), certificate);
        Files.writeString(directory.resolve("server.key"),
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        Files.writeString(directory.resolve("rsa.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n");
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
