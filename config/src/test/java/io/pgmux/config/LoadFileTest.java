package io.pgmux.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LoadFileTest {
    @TempDir
    Path dir;

    @Test
    void loadsAFileAndNamesItInProblems() throws IOException {
        Path file = Files.writeString(dir.resolve("pgmux.yaml"), "databases:\n  app: {port: 6543}\n");
        assertEquals(6543, ConfigLoader.load(file).database("app").orElseThrow().port());

        Files.writeString(file, "databases:\n  app: {port: none}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":2: databases.app.port: expected an integer from 1 to 65535, got \"none\"",
                e.getMessage());
        assertEquals(Optional.empty(), e.cannotRead(), "read, and not valid");
    }

    @Test
    void missingFileIsAConfigProblem() {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": cannot read: no such file", e.getMessage());
        assertEquals(Optional.of("no such file"), e.cannotRead());
    }

    @Test
    void fileThatIsNotUtf8IsAConfigProblem() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": cannot read: not valid UTF-8", e.getMessage());
        assertEquals(Optional.of("not valid UTF-8"), e.cannotRead());
    }

    @Test
    void aFileItNamesThatCannotBeReadMakesItInvalidNotUnreadable() throws IOException {
        Path file = Files.writeString(dir.resolve("pgmux.yaml"), "databases: {app: {}}\nhba_file: absent.conf\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(Optional.empty(), e.cannotRead(), e.getMessage());
    }
}
