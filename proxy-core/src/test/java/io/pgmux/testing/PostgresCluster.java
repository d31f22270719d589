package io.pgmux.testing;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL server for integration tests, with the roles of {@link TestRole} and the
 * database {@value TestRole#APP_DATABASE}.
 *
 * <p>Where the server comes from, in order of preference:
 * <ol>
 *   <li>{@code PGMUX_TEST_PG_URL} ({@code postgresql://user:password@host:port/db}): an existing
 *       server, used as superuser and never stopped; {@link #canRestart()} is false.</li>
 *   <li>Local server binaries ({@code PGMUX_TEST_PG_BIN}, PATH, /usr/lib/postgresql/N/bin,
 *       /usr/pgsql-N/bin): a fresh cluster in a temp dir on 127.0.0.1 and a free port.</li>
 *   <li>Testcontainers with {@code postgres:15}, if Docker is reachable.</li>
 * </ol>
 */
public final class PostgresCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCluster.class);
    private static final Duration TERMINATE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The JVM-wide shared cluster, or why it could not start: the one piece of static mutable
     * state here, because a JUnit extension is instantiated per test class while the cluster must
     * outlive them all. Guarded by {@code PostgresCluster.class}. A failure is remembered so that
     * every later test class fails at once with the original cause instead of retrying.
     */
    private static Shared shared;

    private record Shared(PostgresCluster cluster, RuntimeException failure) {
    }

    /**
     * Server settings for {@link #start(Settings)}. {@code extraConf} goes into postgresql.conf
     * (or {@code -c} flags for a container); the keys this class manages itself are refused.
     */
    public record Settings(int maxConnections, Map<String, String> extraConf, Map<String, Path> dataFiles) {

        private static final Set<String> MANAGED = Set.of("port", "listen_addresses", "unix_socket_directories", "max_connections", "hba_file");

        public Settings {
            if (maxConnections < 5) {
                throw new IllegalArgumentException("maxConnections must be at least 5 (superuser slots are reserved), got " + maxConnections);
            }
            Map<String, String> copy = new LinkedHashMap<>();
            extraConf.forEach((key, value) -> {
                if (!key.matches("[a-z_][a-z0-9_.]*")) {
                    throw new IllegalArgumentException("not a configuration parameter name: " + key);
                }
                if (MANAGED.contains(key)) {
                    throw new IllegalArgumentException(key + " is managed by PostgresCluster");
                }
                copy.put(key, Objects.requireNonNull(value, key));
            });
            extraConf = Collections.unmodifiableMap(copy); // keeps the caller's order in the conf file
            dataFiles = Map.copyOf(dataFiles);
        }

        public Settings(int maxConnections, Map<String, String> extraConf) {
            this(maxConnections, extraConf, Map.of());
        }

        /**
         * Copies {@code source} into the data directory as {@code name}, owned by the server's OS user with mode
         * 0600 (what PostgreSQL demands of {@code ssl_key_file}); relative paths in the configuration (e.g.
         * {@code ssl_cert_file}) are resolved there. A local cluster only.
         */
        public Settings withDataFile(String name, Path source) {
            Map<String, Path> more = new LinkedHashMap<>(dataFiles);
            more.put(name, source);
            return new Settings(maxConnections, extraConf, more);
        }

        /**
         * {@code ssl = on} with the server certificate of {@code certs} (CN and SAN localhost, 127.0.0.1) and its
         * CA as {@code ssl_ca_file}, so the server can ask clients for certificates.
         */
        public Settings withTls(TestCertificates certs) {
            return withDataFile("server.crt", certs.server().cert()).withDataFile("server.key", certs.server().key())
                    .withDataFile("root.crt", certs.caCert())
                    .with("ssl", "on").with("ssl_cert_file", "server.crt").with("ssl_key_file", "server.key")
                    .with("ssl_ca_file", "root.crt");
        }

        /** 100 connections, nothing else. */
        public static Settings defaults() {
            return new Settings(100, Map.of());
        }

        public Settings withMaxConnections(int n) {
            return new Settings(n, extraConf, dataFiles);
        }

        public Settings with(String parameter, String value) {
            Map<String, String> more = new LinkedHashMap<>(extraConf);
            more.put(parameter, value);
            return new Settings(maxConnections, more, dataFiles);
        }
    }

    private final PostgresServer server;
    private final boolean isShared;

    private PostgresCluster(PostgresServer server, boolean isShared) {
        this.server = server;
        this.isShared = isShared;
    }

    /**
     * The default cluster of this JVM, started on first call and stopped by a shutdown hook.
     * Its {@link #close()} does nothing, so a stray try-with-resources cannot pull it from under
     * other tests.
     */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            try {
                PostgresCluster cluster = open(Settings.defaults(), true);
                Runtime.getRuntime().addShutdownHook(new Thread(cluster.server::close, "pgmux-test-postgres-shutdown"));
                shared = new Shared(cluster, null);
            } catch (RuntimeException e) {
                shared = new Shared(null, e);
                throw e;
            }
        }
        if (shared.failure() != null) {
            throw new IllegalStateException("the shared test PostgreSQL failed to start earlier in this JVM", shared.failure());
        }
        return shared.cluster();
    }

    /**
     * A separate cluster with its own settings; the caller closes it. With {@code PGMUX_TEST_PG_URL}
     * set there is no way to make one, so the calling test is skipped (assumption failure).
     */
    public static PostgresCluster start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        return open(settings, false);
    }

    private static PostgresCluster open(Settings settings, boolean isShared) {
        String url = System.getenv("PGMUX_TEST_PG_URL");
        boolean external = url != null && !url.isBlank();
        if (external && !isShared) {
            Assumptions.abort("PGMUX_TEST_PG_URL is set: cannot start a separate cluster with " + settings);
        }
        long startNanos = System.nanoTime();
        PostgresServer server;
        if (external) {
            server = ExternalPostgres.parse(url);
        } else {
            Path binDir = LocalPostgres.findBinDir().orElse(null);
            if (binDir != null) {
                server = LocalPostgres.create(binDir, settings);
            } else if (ContainerPostgres.dockerAvailable()) {
                server = ContainerPostgres.create(settings);
            } else {
                throw new IllegalStateException("no PostgreSQL for tests: set PGMUX_TEST_PG_URL, install the server "
                        + "(initdb/pg_ctl under /usr/lib/postgresql/N/bin, e.g. apt-get install postgresql-15), or run Docker");
            }
        }
        PostgresCluster cluster = new PostgresCluster(server, isShared);
        try (Connection su = cluster.superuser()) {
            ClusterSetup.createRolesAndDatabases(su);
            try (Connection inApp = cluster.connect(TestRole.APP_DATABASE, server.superuserName(),
                    server.superuserPassword())) {
                ClusterSetup.createMemberTable(inApp);
            }
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("could not set up roles on " + server.describe(), e);
        }
        LOG.info("{} ready in {} ms", server.describe(), Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
        return cluster;
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    /** {@code jdbc:postgresql://host:port/database}, without parameters. */
    public String jdbcUrl(String database) {
        String host = host().contains(":") ? "[" + host() + "]" : host();
        return "jdbc:postgresql://" + host + ":" + port() + "/" + database;
    }

    /** A connection as the superuser to its database (postgres/postgres unless PGMUX_TEST_PG_URL says otherwise). */
    public Connection superuser() throws SQLException {
        return connect(server.superuserDatabase(), server.superuserName(), server.superuserPassword());
    }

    /** A direct pgjdbc connection; {@code password} may be null for trusted roles. */
    public Connection connect(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("sslmode", "disable"); // the test server has no TLS; skip the SSLRequest round trip
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "20");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /**
     * Client backends connected to {@code database} as {@code user} (null matches any), not counting
     * the connection that asks.
     */
    public int countBackends(String database, String user) throws SQLException {
        try (Connection su = superuser();
             PreparedStatement ps = su.prepareStatement("select count(*) from pg_stat_activity"
                     + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                     + " and (?::text is null or datname = ?) and (?::text is null or usename = ?)")) {
            bindFilter(ps, database, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Terminates the client backends {@link #countBackends} would count and waits (up to 10 s)
     * until those processes are gone, so callers observe their effect without sleeping. New
     * backends that appear meanwhile (a pool refilling itself) are left alone.
     */
    public void terminateBackends(String database, String user) throws SQLException {
        try (Connection su = superuser()) {
            Array pids;
            try (PreparedStatement ps = su.prepareStatement("select coalesce(array_agg(pid), '{}') from pg_stat_activity"
                    + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                    + " and (?::text is null or datname = ?) and (?::text is null or usename = ?)")) {
                bindFilter(ps, database, user);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    pids = rs.getArray(1);
                }
            }
            try (PreparedStatement kill = su.prepareStatement("select pg_terminate_backend(pid) from unnest(?::int[]) as pid")) {
                kill.setArray(1, pids);
                kill.execute();
            }
            try (PreparedStatement alive = su.prepareStatement("select count(*) from pg_stat_activity where pid = any(?::int[])")) {
                alive.setArray(1, pids);
                Await.untilChecked(TERMINATE_TIMEOUT, () -> {
                    try (ResultSet rs = alive.executeQuery()) {
                        rs.next();
                        return rs.getInt(1) == 0;
                    }
                }, "terminated backends of " + user + "@" + database + " to exit");
            }
        }
    }

    private static void bindFilter(PreparedStatement ps, String database, String user) throws SQLException {
        ps.setString(1, database);
        ps.setString(2, database);
        ps.setString(3, user);
        ps.setString(4, user);
    }

    /** Stops the server (fast shutdown), keeping its data and port. Skips the test if {@link #canRestart()} is false. */
    public void stop() {
        requireRestartable();
        server.stop();
    }

    /** Starts the server again on the same data directory and port. Skips the test if {@link #canRestart()} is false. */
    public void start() {
        requireRestartable();
        server.start();
    }

    /**
     * Stops the server as a crash would ({@code pg_ctl -m immediate}: backends are killed, no shutdown
     * checkpoint, recovery at the next start). Skips the test if {@link #canRestart()} is false.
     */
    public void stopImmediately() {
        requireRestartable();
        server.stopImmediately();
    }

    /** The postmaster's process id. Skips the test if {@link #canRestart()} is false. */
    public long postmasterPid() {
        requireRestartable();
        return server.postmasterPid();
    }

    /**
     * Sends a signal ({@code STOP}, {@code CONT}, {@code KILL}, ...) to a process of the server: the postmaster
     * ({@link #postmasterPid()}) or a backend (a pid from {@link #backendPids}). Skips the test if the server's
     * processes are not local.
     */
    public void signal(long pid, String signal) {
        requireRestartable();
        if (!signal.matches("[A-Z0-9]+")) {
            throw new IllegalArgumentException("not a signal name: " + signal);
        }
        ProcessRunner.Result result = ProcessRunner.run(java.util.List.of("kill", "-" + signal, Long.toString(pid)),
                null, Duration.ofSeconds(10));
        if (!result.ok()) {
            throw new IllegalStateException("kill -" + signal + " " + pid + ": " + result.describe());
        }
    }

    /** The pids of the client backends {@link #countBackends} would count. */
    public java.util.List<Integer> backendPids(String database, String user) throws SQLException {
        try (Connection su = superuser();
             PreparedStatement ps = su.prepareStatement("select pid from pg_stat_activity"
                     + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                     + " and (?::text is null or datname = ?) and (?::text is null or usename = ?)")) {
            bindFilter(ps, database, user);
            java.util.List<Integer> pids = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        }
    }

    /** pg_terminate_backend of one backend; false when it was gone already. */
    public boolean terminateBackend(int pid) throws SQLException {
        try (Connection su = superuser();
             PreparedStatement ps = su.prepareStatement("select pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Whether {@link #stop()} and {@link #start()} work: only for clusters made from local binaries. */
    public boolean canRestart() {
        return server.canRestart();
    }

    private void requireRestartable() {
        // An assumption, not an error: the test needs something this environment cannot give.
        Assumptions.assumeTrue(canRestart(), () -> "cannot stop/start " + server.describe());
    }

    /** The server's log file, for debugging; null for external servers and containers. */
    public Path logFile() {
        return server.logFile();
    }

    /** The directory with pgbench, psql and the server binaries; null when not local. */
    public String binDir() {
        return server.binDir();
    }

    /** Stops and deletes a cluster made by {@link #start(Settings)}; ignored for {@link #shared()}. */
    @Override
    public void close() {
        if (isShared) {
            LOG.debug("close() on the shared cluster ignored; it stops at JVM exit");
            return;
        }
        server.close();
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + server.describe() + (isShared ? ", shared" : "") + "]";
    }
}
