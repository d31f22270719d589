package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ConfigProblemTest {
    @Test
    void formatsLikeACompilerDiagnostic() {
        assertEquals("pgmux.yaml:12: databases.app.port: bad",
                new ConfigProblem("pgmux.yaml", "databases.app.port", 12, "bad").toString());
        assertEquals("pgmux.yaml:3: bad", new ConfigProblem("pgmux.yaml", "", 3, "bad").toString());
        assertEquals("pgmux.yaml: cannot read: no such file",
                new ConfigProblem("pgmux.yaml", "", 0, "cannot read: no such file").toString());
        assertEquals("line 4: listen.port: bad", new ConfigProblem("listen.port", 4, "bad").toString());
        assertEquals("bad", new ConfigProblem("", 0, "bad").toString());
    }

    @Test
    void exceptionListsEveryProblemOnItsOwnLine() {
        List<ConfigProblem> problems = new ArrayList<>(List.of(
                new ConfigProblem("a.yaml", "x", 1, "one"),
                new ConfigProblem("a.yaml", "y", 2, "two")));
        ConfigException e = new ConfigException(problems);
        assertEquals("a.yaml:1: x: one\na.yaml:2: y: two", e.getMessage());
        problems.clear();
        assertEquals(2, e.problems().size(), "the exception keeps its own copy");
        assertThrows(UnsupportedOperationException.class, () -> e.problems().clear());
    }

    @Test
    void exceptionNeedsAProblem() {
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
