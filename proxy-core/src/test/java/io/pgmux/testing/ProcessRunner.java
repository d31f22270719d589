package io.pgmux.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion under a hard deadline. Output goes to a temporary file rather than
 * a pipe: a daemon started by the command (the postmaster under pg_ctl) can inherit a pipe and
 * keep it open long after the command exits, which would block a reader forever.
 */
final class ProcessRunner {

    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException(describe());
            }
            return this;
        }

        String describe() {
            return "command " + command + " exited with " + exitCode + (output.isBlank() ? "" : ":\n" + output.strip());
        }
    }

    private ProcessRunner() {
    }

    static Result run(List<String> command, Path workDir, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("pgmux-proc-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("command " + command + " did not finish within "
                        + timeout.toSeconds() + " s; output so far:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(List.copyOf(command), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless.
                }
            }
        }
    }
}
