package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class ConfigFromEnvCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine commandLine = new CommandLine(new ConfigFromEnvCommand(env));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void writesAFileOnlyItsOwnerCanReadThatTheLoaderAccepts() throws IOException {
        Path file = dir.resolve("pgmux.yaml");
        int status = run(Map.of("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db/app",
                "PGMUX_USERS", "web:User-Secret"), "--output", file.toString());

        assertEquals(0, status, err::toString);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        PgmuxConfig config = ConfigLoader.load(file);
        assertEquals(Optional.of("User-Secret"), config.user("web").orElseThrow().password());
        assertTrue(out.toString().startsWith(file + ": written from the environment: database \"app\""), out::toString);
        assertFalse((out.toString() + err).contains("Secret"), "nothing printed shows a password");
        assertEquals(List.of("pgmux.yaml"), List.of(dir.toFile().list()), "no temporary file is left behind");
    }

    @Test
    void replacesAnEarlierFile() throws IOException {
        Path file = dir.resolve("pgmux.yaml");
        Files.writeString(file, "old");
        assertEquals(0, run(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app"), "-o", file.toString()));
        assertTrue(Files.readString(file).contains("databases:"));
    }

    @Test
    void invalidEnvironmentExits2AndWritesNothing() {
        Path file = dir.resolve("pgmux.yaml");
        int status = run(Map.of("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db/app?sslmode=verify-ca",
                "PGMUX_POOL_SIZE", "many"), "-o", file.toString());

        assertEquals(2, status);
        assertFalse(Files.exists(file));
        assertEquals("pgmux: the environment does not describe a configuration:\n"
                + "  PGMUX_DATABASE_URL asks for sslmode=verify-ca, which checks the server's certificate against"
                + " your CA: add &sslrootcert=/path/to/ca.pem (a file mounted into the container)\n", err.toString());
        assertFalse(err.toString().contains("Secret"));
    }

    @Test
    void unwritableDirectoryExits1() {
        Path file = dir.resolve("missing/pgmux.yaml");
        assertEquals(1, run(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app"), "-o", file.toString()));
        assertTrue(err.toString().startsWith("pgmux: cannot write " + file), err::toString);
    }

    @Test
    void outputIsRequired() {
        assertEquals(2, run(Map.of("PGMUX_DATABASE_URL", "postgres://app:pw@db/app")));
        assertTrue(err.toString().contains("Missing required option: '--output=FILE'"), err::toString);
    }

    @Test
    void helpListsEveryVariable() {
        StringWriter help = new StringWriter();
        CommandLine commandLine = PgmuxCommand.commandLine();
        commandLine.setOut(new PrintWriter(help, true));
        assertEquals(0, commandLine.execute("config-from-env", "--help"));
        for (io.pgmux.cli.env.EnvVariable variable : io.pgmux.cli.env.EnvVariable.values()) {
            assertTrue(help.toString().contains("  " + variable.variable() + " "), variable::variable);
        }
        help.toString().lines().forEach(line -> assertTrue(line.length() <= 80, line));
    }
}
