package io.pgmux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code promtool check metrics}, the Prometheus project's own linter of the exposition format. Tests that use it
 * are skipped where it is not installed (Debian package {@code prometheus}; .ci/run installs it).
 */
public final class Promtool {
    private Promtool() {
    }

    /** Fails the test unless promtool accepts {@code exposition}; skips it when promtool is not on the PATH. */
    public static void assertValid(String exposition) throws IOException, InterruptedException {
        Path promtool = find();
        assumeTrue(promtool != null, "promtool is not on the PATH: install the Debian package prometheus "
                + "(apt-get install prometheus) to check /metrics with it");
        Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true)
                .start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool check metrics did not finish within 60 s");
        }
        assertEquals(0, process.exitValue(), () -> "promtool check metrics rejected the scrape:\n" + output);
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
