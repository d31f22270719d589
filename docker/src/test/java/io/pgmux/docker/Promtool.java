package io.pgmux.docker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' promtool (Debian package {@code prometheus}). A test that needs it is skipped, with the reason,
 * where it is not on the PATH.
 */
final class Promtool {
    private Promtool() {
    }

    record Result(int exitCode, String output) {
    }

    /** {@code promtool args...} in {@code directory}; skips the calling test when promtool is not installed. */
    static Result run(Path directory, String... args) throws IOException, InterruptedException {
        Path promtool = find();
        assumeTrue(promtool != null, "promtool is not on the PATH: install the Debian package prometheus "
                + "(apt-get install prometheus) to check the alert rules and the dashboard's expressions");
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), output);
    }

    private static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
