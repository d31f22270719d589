package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/entrypoint.sh with a stand-in {@code java} first on PATH: it records every call, runs pgmux's real
 * commands (config-from-env, check-config, healthcheck) from the test classpath, and answers {@code run} without
 * starting a proxy. So the script's decisions, order of steps and arguments are checked exactly, and fast.
 * JavaRuntimeIT runs the same script with the image's real runtime and jar against PostgreSQL.
 */
final class EntrypointTest {
    private static final String FAKE_JAVA = """
            #!/bin/sh
            # Records the call, then runs pgmux's command from the test classpath; "run" only says what it got.
            printf '%s\\n' "$*" >>"$FAKE_JAVA_LOG"
            while [ $# -gt 0 ]; do
                case $1 in
                    -jar) shift 2; break ;;
                    *) shift ;;
                esac
            done
            if [ "${1:-}" = run ]; then
                echo "fake java: pgmux $*"
                exit 0
            fi
            exec "$REAL_JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$TEST_CLASSPATH" io.pgmux.cli.PgmuxCommand "$@"
            """;

    private static final String VALID_CONFIG = """
            databases: {app: {host: 127.0.0.1, port: 5432}}
            users: [{name: app, password: Mounted-Secret}]
            """;

    @TempDir
    Path work;

    private Path bin;
    private Path javaLog;
    private Path mounted;
    private Path generated;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void fakeJavaFirstOnPath() throws IOException {
        bin = Files.createDirectories(work.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, FAKE_JAVA);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        javaLog = work.resolve("java.log");
        mounted = work.resolve("etc/pgmux.yaml");
        generated = work.resolve("generated/pgmux.yaml");
        env.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        env.put("FAKE_JAVA_LOG", javaLog.toString());
        env.put("REAL_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("TEST_CLASSPATH", System.getProperty("java.class.path"));
        env.put("PGMUX_HOME", work.resolve("opt").toString());
        env.put("PGMUX_CONFIG", mounted.toString());
        env.put("PGMUX_GENERATED_CONFIG", generated.toString());
        env.put("JAVA_OPTS", "-XX:+UseSerialGC -XX:MaxRAMPercentage=40");
    }

    private Entrypoint.Result run(String... args) throws IOException, InterruptedException {
        return Entrypoint.run(env, work, args);
    }

    /** Each java call: its pgmux arguments after {@code -jar JAR}, and the JVM flags before. */
    private List<String> javaCalls() throws IOException {
        return Files.exists(javaLog) ? Files.readAllLines(javaLog) : List.of();
    }

    private String jvm(String call) {
        return call.substring(0, call.indexOf(" -jar "));
    }

    private String pgmux(String call) {
        return call.substring(call.indexOf(" -jar " + work.resolve("opt/pgmux.jar") + " ")
                + (" -jar " + work.resolve("opt/pgmux.jar") + " ").length());
    }

    @Test
    void withoutFileOrUrlItSaysWhatToProvide() throws Exception {
        Entrypoint.Result result = run();
        assertEquals(2, result.status());
        assertTrue(result.stderr().contains("no configuration: mount a file at " + mounted
                + ", or set PGMUX_DATABASE_URL"), result::stderr);
        assertEquals(List.of(), javaCalls(), "nothing started");
    }

    @Test
    void fromTheEnvironmentItWritesChecksThenRuns() throws Exception {
        env.put("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db:5432/app?sslmode=disable");
        env.put("PGMUX_USERS", "web:User-Secret");
        env.put("PGMUX_LISTEN_HOST", "0.0.0.0");
        Entrypoint.Result result = run();

        assertEquals(0, result.status(), result::output);
        List<String> calls = javaCalls();
        assertEquals(List.of("config-from-env --output " + generated, "check-config " + generated,
                "run --config " + generated), calls.stream().map(this::pgmux).toList());
        // The proxy gets JAVA_OPTS; the short-lived commands their own small flags; all find Netty's library.
        assertEquals("-XX:+UseSerialGC -XX:MaxRAMPercentage=40 -Djava.library.path=" + work.resolve("opt/native"),
                jvm(calls.get(2)));
        assertTrue(jvm(calls.get(0)).contains("-XX:TieredStopAtLevel=1"), calls.get(0));
        assertEquals("fake java: pgmux run --config " + generated + "\n", result.stdout());

        PgmuxConfig config = ConfigLoader.load(generated);
        assertEquals(Optional.of("User-Secret"), config.user("web").orElseThrow().password());
        assertEquals("0.0.0.0", config.listen().host());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(generated)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(generated.getParent())));
        assertTrue(result.stderr().contains(generated + ": written from the environment: database \"app\""),
                result::stderr);
        assertTrue(result.stderr().contains(generated + ": OK (1 database(s), 1 user(s)"), result::stderr);
        assertFalse(result.output().contains("Secret"), "no password in the log: " + result.output());
    }

    /** A managed database's URL, as its console prints it: pgmux connects to it with TLS as libpq would. */
    @Test
    void sslmodeRequireInTheUrlIsAppliedToTheDatabase() throws Exception {
        env.put("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db.example.com:5432/app?sslmode=require");
        Entrypoint.Result result = run();

        assertEquals(0, result.status(), result::output);
        assertEquals(List.of("config-from-env --output " + generated, "check-config " + generated,
                "run --config " + generated), javaCalls().stream().map(this::pgmux).toList());
        PgmuxConfig config = ConfigLoader.load(generated);
        assertEquals(io.pgmux.config.SslMode.REQUIRE, config.database("app").orElseThrow().serverTls().sslmode());
        assertTrue(result.stderr().contains("(sslmode require)"), result::stderr);
        assertFalse(result.output().contains("Secret"), result::output);
    }

    @Test
    void aMountedFileIsUsedAsItIsAndTheVariablesAreIgnored() throws Exception {
        Files.createDirectories(mounted.getParent());
        Files.writeString(mounted, VALID_CONFIG);
        env.put("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db/app");
        Entrypoint.Result result = run();

        assertEquals(0, result.status(), result::output);
        assertEquals(List.of("check-config " + mounted, "run --config " + mounted),
                javaCalls().stream().map(this::pgmux).toList());
        assertFalse(Files.exists(generated));
        assertTrue(result.stderr().contains(mounted + " exists and is used as it is; PGMUX_DATABASE_URL and the"
                + " other PGMUX_* settings are ignored"), result::stderr);
        assertFalse(result.output().contains("Secret"), result::output);
    }

    @Test
    void anInvalidEnvironmentStopsBeforePgmuxStarts() throws Exception {
        env.put("PGMUX_DATABASE_URL", "postgres://app:Url-Secret@db/app?sslmode=verify-ca");
        Entrypoint.Result result = run();

        assertEquals(2, result.status());
        assertEquals(List.of("config-from-env --output " + generated), javaCalls().stream().map(this::pgmux).toList());
        assertTrue(result.stderr().contains("PGMUX_DATABASE_URL asks for sslmode=verify-ca"), result::stderr);
        assertFalse(result.output().contains("Secret"), result::output);
    }

    @Test
    void anInvalidMountedFileStopsBeforePgmuxStarts() throws Exception {
        Files.createDirectories(mounted.getParent());
        Files.writeString(mounted, VALID_CONFIG + "pool_mode: statement\n");
        Entrypoint.Result result = run();

        assertEquals(2, result.status());
        assertEquals(List.of("check-config " + mounted), javaCalls().stream().map(this::pgmux).toList());
        assertTrue(result.stderr().contains("pool_mode: expected session or transaction, got \"statement\""),
                result::stderr);
    }

    @Test
    void optionsGoToRun() throws Exception {
        Files.createDirectories(mounted.getParent());
        Files.writeString(mounted, VALID_CONFIG);
        Entrypoint.Result result = run("--log-level", "debug");
        assertEquals(0, result.status(), result::output);
        assertEquals("run --config " + mounted + " --log-level debug", pgmux(javaCalls().get(1)));

        Files.delete(javaLog);
        assertEquals(0, run("run", "--log-level", "warn").status());
        assertEquals("run --config " + mounted + " --log-level warn", pgmux(javaCalls().get(1)));
    }

    @Test
    void helpAndVersionNeedNoConfiguration() throws Exception {
        Entrypoint.Result help = run("--help");
        assertEquals(0, help.status(), help::output);
        assertTrue(help.stdout().startsWith("Usage: pgmux"), help::stdout);
        Entrypoint.Result variables = run("config-from-env", "--help");
        assertEquals(0, variables.status(), variables::output);
        assertTrue(variables.stdout().contains("PGMUX_DATABASE_URL"), variables::stdout);
    }

    @Test
    void pgmuxCommandsAndOtherProgramsRunAsAsked() throws Exception {
        Files.createDirectories(mounted.getParent());
        Files.writeString(mounted, VALID_CONFIG);
        Entrypoint.Result check = run("check-config", mounted.toString());
        assertEquals(0, check.status(), check::output);
        assertEquals(List.of("check-config " + mounted), javaCalls().stream().map(this::pgmux).toList());

        Entrypoint.Result shell = run("sh", "-c", "echo from a shell");
        assertEquals(0, shell.status());
        assertEquals("from a shell\n", shell.stdout());
    }

    @Test
    void healthcheckAsksWithTheConfigurationInUse() throws Exception {
        Entrypoint.Result none = run("healthcheck");
        assertEquals(1, none.status(), "1, not 2: Docker reserves 2");
        assertTrue(none.stdout().contains("pgmux has not started"), none::stdout);
        assertEquals(List.of(), javaCalls());

        Files.createDirectories(generated.getParent());
        Files.writeString(generated, VALID_CONFIG + "metrics: {port: 1}\n");
        Entrypoint.Result fromGenerated = run("healthcheck", "--timeout", "1");
        assertEquals(List.of("healthcheck --config " + generated + " --timeout 1"),
                javaCalls().stream().map(this::pgmux).toList());
        assertEquals(1, fromGenerated.status());
        assertTrue(fromGenerated.stdout().startsWith("http://127.0.0.1:1/health/ready: connection refused: is pgmux"
                + " running, with metrics.enabled, on 127.0.0.1:1?"), fromGenerated::stdout);

        Files.delete(javaLog);
        Files.createDirectories(mounted.getParent());
        Files.writeString(mounted, VALID_CONFIG);
        run("healthcheck", "--live");
        assertEquals(List.of("healthcheck --config " + mounted + " --live"),
                javaCalls().stream().map(this::pgmux).toList());
    }
}
