package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** check-config's verdicts: a file it cannot read is said to be unreadable, and only a file it read is "not valid". */
final class CheckConfigCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run checkConfig(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CheckConfigCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aFileWithoutReadPermissionCannotBeRead() throws IOException {
        Path file = Files.writeString(dir.resolve("pgmux.yaml"), "databases: {app: {}}\n");
        Files.setPosixFilePermissions(file, Set.of());
        assumeFalse(Files.isReadable(file), "the superuser reads a file whatever its mode");
        Run run = checkConfig(file.toString());
        assertEquals(2, run.exit());
        assertEquals(file + " cannot be read: permission denied (pgmux runs as user "
                + System.getProperty("user.name") + ")\n", run.err());
    }

    @Test
    void aMissingFileCannotBeRead() {
        Path file = dir.resolve("absent.yaml");
        Run run = checkConfig(file.toString());
        assertEquals(2, run.exit());
        assertEquals(file + " cannot be read: no such file\n", run.err());
    }

    @Test
    void aDirectoryCannotBeRead() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("pgmux.yaml"));
        Run run = checkConfig(directory.toString());
        assertEquals(2, run.exit());
        assertEquals(directory + " cannot be read: is a directory\n", run.err());
    }

    @Test
    void aFileThatWasReadIsNotValidWithEveryProblem() throws IOException {
        Path file = Files.writeString(dir.resolve("pgmux.yaml"), "databases: {app: {port: none}}\n");
        Run run = checkConfig(file.toString());
        assertEquals(2, run.exit());
        assertEquals(file + " is not valid:\n" + file + ":1: databases.app.port: expected an integer from 1 to 65535,"
                + " got \"none\"\n", run.err());
    }

    @Test
    void aValidFileIsOk() throws IOException {
        Path file = Files.writeString(dir.resolve("pgmux.yaml"), "databases: {app: {}}\n");
        Run run = checkConfig(file.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(file + ": OK (1 database(s), 0 user(s), 0 tenant(s), pool_mode transaction, listening on"
                + " 127.0.0.1:6432)\n", run.out());
    }
}
