package io.pgmux.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

/**
 * The real image, where a Docker engine answers: built from docker/Dockerfile with the build context
 * .dockerignore allows, started beside postgres:15 with only PGMUX_* variables, and asked a query with psql
 * from the database's container and with pgjdbc from here. Skipped, saying so, without an engine.
 */
final class ImageIT {
    private static final String PASSWORD = "image-test-password";

    @BeforeEach
    void needsDocker() {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine answers here: the image is built and started only where one does"
                        + " (JavaRuntimeIT covers its runtime and entry point without one)");
    }

    /**
     * What `docker build -f docker/Dockerfile .` would send: the files .dockerignore lets through, and the
     * Dockerfile itself. withDockerfilePath, though deprecated, is the one that names a Dockerfile inside the
     * context; withDockerfile(Path) takes the file's own folder as where the builder should find it.
     */
    @SuppressWarnings("deprecation")
    private static ImageFromDockerfile image() throws IOException {
        DockerIgnore ignore = DockerIgnore.read(Repository.ROOT.resolve(".dockerignore"));
        ImageFromDockerfile image = new ImageFromDockerfile("pgmux-image-it", true);
        try (Stream<Path> files = Files.walk(Repository.ROOT)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = Repository.relative(file);
                if (ignore.sends(relative)) {
                    image.withFileFromPath(relative, file);
                }
            }
        }
        return image.withFileFromPath("docker/Dockerfile", Repository.DOCKER.resolve("Dockerfile"))
                .withDockerfilePath("docker/Dockerfile");
    }

    @Test
    void theImageServesQueriesThroughPgmux() throws Exception {
        try (Network network = Network.newNetwork();
             PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(DockerImageName.parse("postgres:15"))
                     .withNetwork(network).withNetworkAliases("db")
                     .withDatabaseName("app").withUsername("app").withPassword(PASSWORD);
             GenericContainer<?> pgmux = new GenericContainer<>(image())
                     .withNetwork(network).withNetworkAliases("pgmux")
                     .withEnv("PGMUX_DATABASE_URL", "postgres://app:" + PASSWORD + "@db:5432/app?sslmode=disable")
                     .withEnv("PGMUX_POOL_SIZE", "2")
                     .withExposedPorts(6432, 9930)
                     .waitingFor(Wait.forListeningPorts(6432).withStartupTimeout(Duration.ofMinutes(2)))) {
            postgres.start();
            pgmux.start();

            ExecResult psql = postgres.execInContainer("psql", "postgres://app:" + PASSWORD + "@pgmux:6432/app",
                    "-At", "-c", "select current_user || ' ' || current_database()");
            assertEquals(0, psql.getExitCode(), psql.getStderr());
            assertEquals("app app", psql.getStdout().trim());

            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + pgmux.getHost() + ":"
                    + pgmux.getMappedPort(6432) + "/app?sslmode=disable", "app", PASSWORD);
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("select 1 + 1")) {
                rows.next();
                assertEquals(2, rows.getInt(1));
            }

            ExecResult user = pgmux.execInContainer("id", "-u");
            assertEquals("10001", user.getStdout().trim(), "pgmux runs unprivileged");
            ExecResult check = pgmux.execInContainer("pgmux-entrypoint", "check-config", "/tmp/pgmux/pgmux.yaml");
            assertEquals(0, check.getExitCode(), check.getStderr());
            assertEquals(List.of(), List.of(pgmux.getLogs().split("\n")).stream()
                    .filter(line -> line.contains(PASSWORD)).toList(), "no password in the container's log");
        }
    }
}
