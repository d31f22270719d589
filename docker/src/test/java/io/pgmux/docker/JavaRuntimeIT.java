package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.FreePort;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.TestRole;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image without Docker: docker/jlink.sh builds the runtime from the packaged pgmux.jar exactly as the
 * Dockerfile's RUN step does, docker/cds-archive.sh trains the class archive on it as the final stage does, and
 * docker/entrypoint.sh starts pgmux on it with the image's JAVA_OPTS, configured
 * from PGMUX_* variables only, in front of a real PostgreSQL. What is left to the engine is the base image and
 * the file layout, which DockerfileTest checks from the text.
 */
@ExtendWith(PostgresExtension.class)
final class JavaRuntimeIT {
    @TempDir
    static Path work;

    private static Path runtime;
    private static Path home;

    @BeforeAll
    static void buildTheRuntimeAsTheImageDoes() throws Exception {
        assertTrue(Files.isRegularFile(Repository.PGMUX_JAR), Repository.PGMUX_JAR + " is missing: run mvn verify,"
                + " which packages proxy-cli before this module's integration tests");
        runtime = work.resolve("opt/java");
        home = work.resolve("opt/pgmux");
        ProcessBuilder jlink = new ProcessBuilder("sh", Repository.DOCKER.resolve("jlink.sh").toString(),
                Repository.PGMUX_JAR.toString(), runtime.toString(), home.resolve("native").toString())
                .redirectErrorStream(true);
        // The JDK running the tests has jdeps, jlink and jar, as the build image does.
        jlink.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
        Process process = jlink.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "jlink.sh finished");
        assertEquals(0, process.exitValue(), output);

        // The image's layout: the jar beside its class archive, made by the Dockerfile's training step.
        Files.copy(Repository.PGMUX_JAR, home.resolve("pgmux.jar"));
        ProcessBuilder training = new ProcessBuilder("sh", Repository.DOCKER.resolve("cds-archive.sh").toString(),
                runtime.resolve("bin/java").toString(), home.resolve("pgmux.jar").toString(),
                home.resolve("pgmux.jsa").toString());
        training.command().addAll(List.of(imageJavaOptions().split(" ")));
        training.command().addAll(List.of("-Xmx64m", "-Djava.library.path=" + home.resolve("native")));
        training.environment().put("CDS_LISTEN_PORT", String.valueOf(FreePort.find()));
        training.environment().put("CDS_METRICS_PORT", String.valueOf(FreePort.find()));
        Process trained = training.redirectErrorStream(true).start();
        String trainingOutput = new String(trained.getInputStream().readAllBytes());
        assertTrue(trained.waitFor(5, TimeUnit.MINUTES), "cds-archive.sh finished");
        assertEquals(0, trained.exitValue(), trainingOutput);
    }

    /** The Dockerfile's JAVA_OPTS, with the image's /opt/pgmux/ at this test's home. */
    private static String imageJavaOptions() {
        return Dockerfile.read(Repository.DOCKER.resolve("Dockerfile")).env().get("JAVA_OPTS")
                .replace("/opt/pgmux/", home + "/");
    }

    /** Runs the runtime's java with the image's flags on the image's jar; returns what it printed. */
    private static String java(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(runtime.resolve("bin/java").toString());
        command.addAll(List.of(imageJavaOptions().split(" ")));
        command.addAll(List.of(arguments));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertTrue(java.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, java.exitValue(), output);
        return output;
    }

    /**
     * The archive holds pgmux's classes and a start maps them; an archive that no longer matches the jar (here: a
     * newer modification time, as a jar replaced in a derived image would have) is set aside and pgmux still runs.
     */
    @Test
    void theClassArchiveServesPgmuxsClassesAndOneThatDoesNotMatchIsSetAside() throws Exception {
        Path jar = home.resolve("pgmux.jar");
        String archived = "io.pgmux.cli.PgmuxCommand source: shared objects file (top)";
        String used = java("-Xlog:class+load", "-jar", jar.toString(), "--version");
        assertTrue(used.contains(archived), used);

        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(built.toMillis() + 60_000));
        try {
            String stale = java("-Xlog:class+load", "-jar", jar.toString(), "--version");
            assertFalse(stale.contains(archived), stale);
            assertTrue(stale.contains("io.pgmux.cli.PgmuxCommand source: file:"), stale);
            assertTrue(stale.lines().anyMatch(line -> line.startsWith("pgmux ")), stale);
        } finally {
            Files.setLastModifiedTime(jar, built);
        }
    }

    @Test
    void theRuntimeHoldsTheModulesPgmuxUsesAndNoMore() throws Exception {
        Process java = new ProcessBuilder(runtime.resolve("bin/java").toString(), "--list-modules")
                .redirectErrorStream(true).start();
        List<String> modules = new String(java.getInputStream().readAllBytes()).lines()
                .map(line -> line.split("@")[0]).toList();
        assertTrue(java.waitFor(1, TimeUnit.MINUTES));
        assertTrue(modules.containsAll(List.of("java.base", "java.net.http", "jdk.unsupported", "jdk.crypto.ec")),
                modules::toString);
        // What jdeps finds referenced is kept (Micrometer's binders reach java.sql and java.desktop); tools are not.
        assertFalse(modules.contains("jdk.compiler"), modules::toString);
        assertTrue(Files.isRegularFile(runtime.resolve("lib/server/classes.jsa")), "a CDS archive for quick starts");
        for (String transport : List.of("epoll", "io_uring42")) {
            assertTrue(Files.isRegularFile(home.resolve("native/libnetty_transport_native_" + transport + "_x86_64.so"))
                    || !System.getProperty("os.arch").equals("amd64"), transport);
        }
    }

    @Test
    void entrypointRunsPgmuxFromVariablesOnTheImageRuntime(PostgresCluster postgres) throws Exception {
        int listenPort = FreePort.find();
        int metricsPort = FreePort.find();
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", runtime.resolve("bin") + ":/usr/bin:/bin");
        env.put("PGMUX_HOME", home.toString());
        env.put("PGMUX_JAR", home.resolve("pgmux.jar").toString());
        env.put("PGMUX_CONFIG", work.resolve("etc/pgmux.yaml").toString());
        env.put("PGMUX_GENERATED_CONFIG", work.resolve("generated/pgmux.yaml").toString());
        env.put("PGMUX_DATABASE_URL", "postgres://" + TestRole.APP.user() + ":" + TestRole.APP.password() + "@"
                + postgres.host() + ":" + postgres.port() + "/" + TestRole.APP_DATABASE + "?sslmode=disable");
        env.put("PGMUX_POOL_SIZE", "2");
        env.put("PGMUX_LISTEN_HOST", "127.0.0.1");
        env.put("PGMUX_LISTEN_PORT", String.valueOf(listenPort));
        env.put("PGMUX_METRICS_HOST", "127.0.0.1");
        env.put("PGMUX_METRICS_PORT", String.valueOf(metricsPort));
        // The image's flags, and a scratch directory that keeps whatever Netty might unpack there.
        env.put("JAVA_OPTS", imageJavaOptions() + " -Djava.io.tmpdir=" + tmp + " -Dio.netty.native.deleteLibAfterLoading=false");

        Path log = work.resolve("pgmux.log");
        Process pgmux = Entrypoint.builder(env, work, List.of()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            Await.untilChecked(Duration.ofSeconds(60), () -> {
                if (!pgmux.isAlive()) {
                    throw new AssertionError("pgmux exited with " + pgmux.exitValue() + ":\n" + Repository.read(log));
                }
                return accepts(listenPort);
            }, "pgmux listening on " + listenPort);

            assertEquals(runtime.resolve("bin/java").toRealPath(),
                    Files.readSymbolicLink(Path.of("/proc", String.valueOf(pgmux.pid()), "exe")).toRealPath(),
                    "pgmux runs on the jlinked runtime, as PID of the entry point (exec)");
            try (Connection connection = connect(listenPort); Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                statement.execute("create temporary table t (n int) on commit drop");
                statement.execute("insert into t values (1), (2)");
                try (ResultSet rows = statement.executeQuery("select current_user, current_database(), sum(n) from t")) {
                    assertTrue(rows.next());
                    assertEquals(TestRole.APP.user(), rows.getString(1));
                    assertEquals(TestRole.APP_DATABASE, rows.getString(2));
                    assertEquals(3, rows.getInt(3));
                }
                connection.commit();
            }

            String output = Repository.read(log);
            assertTrue(output.contains("(epoll transport"), output);
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(List.of(), files.map(Path::getFileName).map(Path::toString)
                        .filter(name -> name.contains("netty")).toList(), "Netty's library came from the image");
            }
            assertFalse(output.contains(TestRole.APP.password()), "no password in the log:\n" + output);

            // The image's HEALTHCHECK; /health/ready itself is the metrics endpoint's to answer.
            Entrypoint.Result health = Entrypoint.run(env, work, "healthcheck", "--timeout", "2");
            assertTrue(health.stdout().startsWith("http://127.0.0.1:" + metricsPort + "/health/ready: "),
                    health::output);
        } finally {
            pgmux.destroy();
            if (!pgmux.waitFor(30, TimeUnit.SECONDS)) {
                pgmux.destroyForcibly();
            }
        }
        assertTrue(List.of(0, 143).contains(pgmux.exitValue()), "SIGTERM stops it: " + pgmux.exitValue());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static Connection connect(int port) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", TestRole.APP.user());
        properties.setProperty("password", TestRole.APP.password());
        properties.setProperty("sslmode", "disable");
        properties.setProperty("loginTimeout", "20");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + TestRole.APP_DATABASE,
                properties);
    }
}
