package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.config.ConfigException;
import io.pgmux.config.ConfigProblem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The words every command uses for a configuration file it cannot use (the tests run as any user, root too). */
final class ConfigFileErrorsTest {
    private static final Path FILE = Path.of("/etc/pgmux/pgmux.yaml");

    @Test
    void aFileShutOutByItsPermissionsNamesTheUserPgmuxRunsAs() {
        assertEquals("/etc/pgmux/pgmux.yaml cannot be read: permission denied (pgmux runs as user pgmux)",
                ConfigFileErrors.describe(FILE, ConfigException.cannotRead(FILE.toString(), "permission denied"),
                        "pgmux"));
    }

    @Test
    void otherReasonsAreGivenAsTheyAre() {
        assertEquals("/etc/pgmux/pgmux.yaml cannot be read: is a directory",
                ConfigFileErrors.describe(FILE, ConfigException.cannotRead(FILE.toString(), "is a directory"),
                        "pgmux"));
    }

    @Test
    void aFileThatWasReadIsNotValidWithItsProblems() {
        ConfigException e = new ConfigException(List.of(new ConfigProblem(FILE.toString(), "listen.port", 2,
                "expected an integer from 1 to 65535, got \"x\"")));
        assertEquals("/etc/pgmux/pgmux.yaml is not valid:\n/etc/pgmux/pgmux.yaml:2: listen.port: expected an integer"
                + " from 1 to 65535, got \"x\"", ConfigFileErrors.describe(FILE, e, "pgmux"));
    }
}
