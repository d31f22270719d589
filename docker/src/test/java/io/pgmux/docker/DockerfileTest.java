package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ListenConfig;
import io.pgmux.config.MetricsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/Dockerfile cannot be built here (no Docker engine), so what can go wrong in it without one is checked
 * from its text: every file it copies exists and reaches the builder past .dockerignore, every stage and
 * program it names is defined, its ports, paths and user are the ones the rest of the project assumes, and its
 * JVM flags are ones this JVM accepts. The RUN steps themselves run in JavaRuntimeIT (docker/jlink.sh) and
 * EntrypointTest.
 */
final class DockerfileTest {
    private static final Dockerfile DOCKERFILE = Dockerfile.read(Repository.DOCKER.resolve("Dockerfile"));
    private static final DockerIgnore IGNORE = DockerIgnore.read(Repository.ROOT.resolve(".dockerignore"));

    /** The build-context sources of a COPY or ADD: every word but the last, when it has no --from. */
    private static List<String> contextSources() {
        List<String> sources = new ArrayList<>();
        Stream.concat(DOCKERFILE.all("COPY").stream(), DOCKERFILE.all("ADD").stream())
                .filter(copy -> !copy.flags().containsKey("from"))
                .forEach(copy -> {
                    List<String> words = copy.words();
                    sources.addAll(words.subList(0, words.size() - 1));
                });
        return sources;
    }

    @Test
    void everyCopiedFileExistsAndIsInTheBuildContext() throws IOException {
        List<String> sources = contextSources();
        assertFalse(sources.isEmpty());
        for (String source : sources) {
            Path path = Repository.ROOT.resolve(source);
            assertTrue(Files.exists(path), () -> "COPY " + source + ": no such file in the repository");
            try (Stream<Path> files = Files.walk(path)) {
                files.filter(Files::isRegularFile)
                        .map(Repository::relative)
                        .filter(file -> !file.contains("/target/"))
                        .forEach(file -> assertTrue(IGNORE.sends(file), () -> ".dockerignore keeps out " + file
                                + ", which COPY " + source + " needs"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-cli/target/pgmux.jar", "proxy-core/target/classes/x.class", ".git/HEAD",
        "bench/results/x/summary.md", "bench/run.sh", "README.md", "scripts/try-local.sh", "docker/k8s/sidecar.yaml",
        "proxy-cli/.idea/workspace.xml"})
    void buildContextLeavesOutWhatTheBuildDoesNotUse(String path) {
        assertFalse(IGNORE.sends(path), path);
    }

    /** BuildKit-only syntax would shut out the classic builder, and with it Testcontainers (ImageIT). */
    @Test
    void needsNoBuildKit() {
        for (Dockerfile.Instruction instruction : DOCKERFILE.all("RUN")) {
            assertFalse(instruction.arguments().startsWith("--"), () -> "line " + instruction.line());
        }
        for (Dockerfile.Instruction copy : DOCKERFILE.all("COPY")) {
            assertTrue(copy.flags().keySet().stream().allMatch("from"::equals), () -> "line " + copy.line());
        }
        assertFalse(Repository.read(Repository.DOCKER.resolve("Dockerfile")).contains("# syntax="));
    }

    @Test
    void copiesFromStagesDefinedBeforeThem() {
        for (Dockerfile.Instruction copy : DOCKERFILE.all("COPY")) {
            String from = copy.flags().get("from");
            if (from != null) {
                int stage = DOCKERFILE.stageNames().indexOf(from);
                assertTrue(stage >= 0 && stage < copy.stage(), () -> "line " + copy.line() + ": no earlier stage " + from);
            }
        }
    }

    @Test
    void theJarComesFromWhereTheBuildPutsIt() {
        // proxy-cli's shade plugin names it pgmux.jar.
        assertTrue(Repository.read(Repository.ROOT.resolve("proxy-cli/pom.xml")).contains("<finalName>pgmux</finalName>"));
        assertTrue(DOCKERFILE.all("COPY").stream().anyMatch(copy -> copy.stage() == DOCKERFILE.finalStage()
                && copy.words().equals(List.of("/src/proxy-cli/target/pgmux.jar", "/opt/pgmux/pgmux.jar"))));
        Dockerfile.Instruction build = DOCKERFILE.all("RUN").stream()
                .filter(run -> run.arguments().contains("mvn ")).findFirst().orElseThrow();
        assertTrue(build.arguments().contains("-pl proxy-cli -am"), build::arguments);
        assertTrue(Repository.read(Repository.ROOT.resolve("pom.xml")).contains("<module>proxy-cli</module>"));
    }

    @Test
    void runStepsCallProgramsTheirStageCopiedIn() {
        Dockerfile.Instruction jlink = DOCKERFILE.all("RUN").stream()
                .filter(run -> run.arguments().startsWith("pgmux-jlink ")).findFirst().orElseThrow();
        assertTrue(DOCKERFILE.all("COPY").stream().anyMatch(copy -> copy.stage() == jlink.stage()
                && copy.words().equals(List.of("docker/jlink.sh", "/usr/local/bin/pgmux-jlink"))));
        assertEquals(List.of("pgmux-jlink", "/tmp/pgmux.jar", "/opt/java", "/opt/pgmux/native"), jlink.words());
        // ... and the final stage takes exactly what that step made.
        assertTrue(DOCKERFILE.all("COPY").stream().anyMatch(copy -> copy.words().equals(List.of("/opt/java", "/opt/java"))));
        assertTrue(DOCKERFILE.all("COPY").stream()
                .anyMatch(copy -> copy.words().equals(List.of("/opt/pgmux/native", "/opt/pgmux/native"))));
    }

    /**
     * The AppCDS archive is made where it is used: in the final stage, by the runtime and from the jar at the path the
     * entry point runs (the JVM refuses an archive whose jar has another path, size or time), as root before the
     * image drops to its user, and JAVA_OPTS names it. JavaRuntimeIT runs the same script on a jlinked runtime.
     */
    @Test
    void theClassArchiveIsTrainedOnTheFinalJarAndNamedInJavaOptions() {
        Dockerfile.Instruction training = DOCKERFILE.all("RUN").stream()
                .filter(run -> run.arguments().startsWith("pgmux-cds-archive ")).findFirst().orElseThrow();
        assertEquals(DOCKERFILE.finalStage(), training.stage());
        assertEquals(List.of("pgmux-cds-archive", "/opt/java/bin/java", "/opt/pgmux/pgmux.jar", "/opt/pgmux/pgmux.jsa",
                "$JAVA_OPTS", "-Xmx64m", "-Djava.library.path=/opt/pgmux/native"), training.words());
        assertTrue(DOCKERFILE.all("COPY").stream().anyMatch(copy -> copy.stage() == training.stage()
                && copy.line() < training.line()
                && copy.words().equals(List.of("docker/cds-archive.sh", "/usr/local/bin/pgmux-cds-archive"))));
        // Nothing replaces the jar after the training.
        List<Dockerfile.Instruction> jarCopies = DOCKERFILE.all("COPY").stream()
                .filter(copy -> copy.stage() == training.stage() && copy.words().contains("/opt/pgmux/pgmux.jar"))
                .toList();
        assertEquals(1, jarCopies.size());
        assertTrue(jarCopies.get(0).line() < training.line());
        assertTrue(DOCKERFILE.only("USER").line() > training.line(), "root writes /opt/pgmux");
        // The training sees the run's flags ($JAVA_OPTS), so the ENV comes first.
        assertTrue(DOCKERFILE.all("ENV").stream().anyMatch(env -> env.stage() == training.stage()
                && env.line() < training.line() && env.arguments().contains("JAVA_OPTS=")));
        assertTrue(DOCKERFILE.env().get("JAVA_OPTS").contains("-XX:SharedArchiveFile=/opt/pgmux/pgmux.jsa"));
    }

    @Test
    void entryPointAndHealthCheckAreTheEntrypointScript() {
        // COPY keeps the file's mode; scriptsAreExecutablePosixShell checks it is executable.
        assertTrue(DOCKERFILE.all("COPY").stream().anyMatch(copy -> copy.stage() == DOCKERFILE.finalStage()
                && copy.words().equals(List.of("docker/entrypoint.sh", "/usr/local/bin/pgmux-entrypoint"))));
        assertEquals("[\"pgmux-entrypoint\"]", DOCKERFILE.only("ENTRYPOINT").arguments());
        assertEquals("[\"run\"]", DOCKERFILE.only("CMD").arguments());
        String healthcheck = DOCKERFILE.only("HEALTHCHECK").arguments();
        assertTrue(healthcheck.endsWith("CMD [\"pgmux-entrypoint\", \"healthcheck\"]"), healthcheck);
        assertTrue(DOCKERFILE.env().get("PATH").startsWith("/opt/java/bin:"), "java is on PATH");
    }

    @Test
    void portsPathsAndHostsAreTheProjectsOwn() {
        assertEquals(List.of(String.valueOf(ListenConfig.DEFAULT_PORT), String.valueOf(MetricsConfig.DEFAULT_PORT)),
                DOCKERFILE.only("EXPOSE").words());
        Map<String, String> env = DOCKERFILE.env();
        assertEquals("/etc/pgmux/pgmux.yaml", env.get("PGMUX_CONFIG"));
        // Inside a container, loopback would be unreachable from the app and from the kubelet.
        assertEquals("0.0.0.0", env.get("PGMUX_LISTEN_HOST"));
        assertEquals("0.0.0.0", env.get("PGMUX_METRICS_HOST"));
    }

    @Test
    void runsAsAnUnprivilegedNumericUser() {
        String user = DOCKERFILE.only("USER").arguments();
        assertTrue(user.matches("\\d+:\\d+"), "numeric, so runAsNonRoot can check it: " + user);
        assertNotEquals("0", user.split(":")[0]);
        assertTrue(DOCKERFILE.all("RUN").stream().anyMatch(run -> run.arguments().contains("--uid " + user.split(":")[0])));
    }

    @Test
    void javaOptionsAreAcceptedByTheJvm() throws Exception {
        String options = DOCKERFILE.env().get("JAVA_OPTS");
        assertTrue(options.contains("-XX:+UseSerialGC"), "the collector bench/RESULTS.md chose: " + options);
        assertTrue(options.contains("-XX:MaxRAMPercentage="), options);
        // The footprint flags bench/RESULTS.md measured: a small young generation, a heap given back after a GC.
        assertTrue(options.contains("-Xmn4m"), options);
        // An initial heap of its own: the JVM's default (1/64 of the memory) is kept for good by the serial collector.
        assertTrue(options.contains("-Xms8m"), options);
        assertTrue(options.contains("-XX:MaxHeapFreeRatio=20") && options.contains("-XX:MinHeapFreeRatio=10"), options);
        // Two malloc arenas: what the JIT and Netty free during a burst of logins does not stay resident per thread.
        assertEquals("2", DOCKERFILE.env().get("MALLOC_ARENA_MAX"));
        // ... and what glibc holds free is given back every second (the start's compilations, a burst of logins).
        assertTrue(options.contains("-XX:TrimNativeHeapInterval=1000"), options);
        // Compiled after ten times the default calls: the start's one-off code costs C2 no scratch memory.
        assertTrue(options.contains("-XX:CompileThresholdScaling=10"), options);
        // No /opt/pgmux/pgmux.jsa here: the JVM must run without its archive too.
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options.split(" ")));
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertTrue(java.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, java.exitValue(), output);
        // Without a word of warning either (a young generation larger than the initial heap draws one, for one).
        assertFalse(output.toLowerCase(Locale.ROOT).contains("warning"), output);
    }

    @ParameterizedTest
    @ValueSource(strings = {"entrypoint.sh", "jlink.sh", "cds-archive.sh"})
    void scriptsAreExecutablePosixShell(String script) throws Exception {
        Path file = Repository.DOCKER.resolve(script);
        assertTrue(Files.isExecutable(file), script + " is executable");
        assertTrue(Repository.read(file).startsWith("#!/bin/sh\n"), script + " runs with sh, which slim images have");
        Process check = new ProcessBuilder("sh", "-n", file.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
    }
}
