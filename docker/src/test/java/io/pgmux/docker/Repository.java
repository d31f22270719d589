package io.pgmux.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository, found from this module's directory (Maven runs tests in docker/). */
final class Repository {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DOCKER = ROOT.resolve("docker");
    static final Path PGMUX_JAR = ROOT.resolve("proxy-cli/target/pgmux.jar");

    private Repository() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path relative to the repository root, with forward slashes, as Docker names build-context files. */
    static String relative(Path file) {
        return ROOT.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
