package io.pgmux.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL 15 in a Testcontainers container: the fallback when there are no local binaries.
 *
 * <p>Differences from local clusters: connections arrive through Docker's network, so the same
 * per-role pg_hba.conf rules are written for 0.0.0.0/0 and ::/0 instead of 127.0.0.1/32; the
 * superuser also has the password "postgres" (the image insists on one; the rules trust it
 * anyway); and it cannot be restarted, because a restarted container gets a new mapped port.
 */
final class ContainerPostgres implements PostgresServer {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerPostgres.class);
    private static final String IMAGE = "postgres:15";
    private static final String HBA_PATH = "/etc/pgmux_hba.conf";
    private static final String SUPERUSER_PASSWORD = "postgres";

    private final PostgreSQLContainer<?> container;

    private ContainerPostgres(PostgreSQLContainer<?> container) {
        this.container = container;
    }

    /** Only called when local binaries are missing, so the Docker probe never slows the local path. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Docker probe failed", e);
            return false;
        }
    }

    static ContainerPostgres create(PostgresCluster.Settings settings) {
        org.junit.jupiter.api.Assumptions.assumeTrue(settings.dataFiles().isEmpty(),
                "files in the data directory need a local cluster");
        List<String> command = new ArrayList<>(List.of("postgres",
                "-c", "hba_file=" + HBA_PATH,
                "-c", "max_connections=" + settings.maxConnections(),
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off"));
        for (Map.Entry<String, String> e : settings.extraConf().entrySet()) {
            command.add("-c");
            command.add(e.getKey() + "=" + e.getValue());
        }
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse(IMAGE))
                .withUsername(TestRole.SUPERUSER)
                .withPassword(SUPERUSER_PASSWORD)
                .withDatabaseName("postgres")
                .withCopyToContainer(Transferable.of(ClusterSetup.pgHba(List.of("0.0.0.0/0", "::/0"))), HBA_PATH)
                .withCommand(command.toArray(String[]::new));
        container.start();
        return new ContainerPostgres(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String superuserName() {
        return TestRole.SUPERUSER;
    }

    @Override
    public String superuserPassword() {
        return SUPERUSER_PASSWORD;
    }

    @Override
    public String superuserDatabase() {
        return "postgres";
    }

    @Override
    public boolean canRestart() {
        return false;
    }

    @Override
    public void stop() {
        throw new IllegalStateException("a container cluster cannot be restarted on the same port");
    }

    @Override
    public void start() {
        throw new IllegalStateException("a container cluster cannot be restarted on the same port");
    }

    @Override
    public Path logFile() {
        return null;
    }

    @Override
    public String binDir() {
        return null;
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String describe() {
        return "PostgreSQL container " + IMAGE + " at " + host() + ":" + port();
    }
}
