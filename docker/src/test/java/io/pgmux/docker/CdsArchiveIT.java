package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/cds-archive.sh as README gives it: the jar named by a path relative to the directory the script runs in.
 * The archive must serve a start from another directory that names the jar by its absolute path, as the JVM
 * checks each class path entry the archive recorded. No database: the training start needs none.
 */
final class CdsArchiveIT {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    /** A class of pgmux's own that every start loads (picocli's command), as -Xlog:class+load names its source. */
    private static final String ARCHIVED = "io.pgmux.cli.PgmuxCommand source: shared objects file (top)";

    @TempDir
    Path work;

    @Test
    void anArchiveMadeFromARelativeJarPathServesAStartFromAnotherDirectory() throws Exception {
        assertTrue(Files.isRegularFile(Repository.PGMUX_JAR), Repository.PGMUX_JAR + " is missing: run mvn verify,"
                + " which packages proxy-cli before this module's integration tests");
        Path made = Files.createDirectories(work.resolve("made"));
        Files.createDirectories(made.resolve("lib"));
        Files.copy(Repository.PGMUX_JAR, made.resolve("lib/pgmux.jar"));
        ProcessBuilder training = new ProcessBuilder("sh", Repository.DOCKER.resolve("cds-archive.sh").toString(),
                JAVA.toString(), "lib/pgmux.jar", "pgmux.jsa").directory(made.toFile());
        training.environment().put("CDS_LISTEN_PORT", String.valueOf(FreePort.find()));
        training.environment().put("CDS_METRICS_PORT", String.valueOf(FreePort.find()));
        String trainingOutput = run(training);
        assertTrue(Files.size(made.resolve("pgmux.jsa")) > 0, trainingOutput);

        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        String started = run(new ProcessBuilder(JAVA.toString(),
                "-XX:SharedArchiveFile=" + made.resolve("pgmux.jsa"), "-Xlog:cds", "-Xlog:class+load",
                "-jar", made.resolve("lib/pgmux.jar").toString(), "--version").directory(elsewhere.toFile()));
        assertFalse(started.contains("Unable to use shared archive"), started);
        assertTrue(started.contains(ARCHIVED), started);
    }

    /** Runs {@code process} to its end; returns what it printed, having checked it exited with 0. */
    private static String run(ProcessBuilder process) throws Exception {
        Process started = process.redirectErrorStream(true).start();
        String output = new String(started.getInputStream().readAllBytes());
        assertTrue(started.waitFor(2, TimeUnit.MINUTES), String.join(" ", process.command()));
        assertEquals(0, started.exitValue(), output);
        return output;
    }
}
