package io.pgmux.docker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs docker/entrypoint.sh with sh, in a clean environment: only the variables a test gives it, and PATH. */
final class Entrypoint {
    static final Path SCRIPT = Repository.DOCKER.resolve("entrypoint.sh");

    /** What a finished run printed and how it ended. */
    record Result(int status, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    private Entrypoint() {
    }

    static ProcessBuilder builder(Map<String, String> env, Path workDir, List<String> args) {
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("TMPDIR", workDir.toString());
        environment.putAll(env);
        return builder;
    }

    static Result run(Map<String, String> env, Path workDir, String... args) throws IOException, InterruptedException {
        Path out = workDir.resolve("entrypoint.out");
        Path err = workDir.resolve("entrypoint.err");
        Process process = builder(new HashMap<>(env), workDir, List.of(args))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("entrypoint.sh " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(process.exitValue(), Repository.read(out), Repository.read(err));
    }
}
