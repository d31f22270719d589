package io.pgmux.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.ListenConfig;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.pool.ServerPool;
import io.pgmux.runtime.PgmuxServer;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import io.pgmux.testing.TestRole;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An in-process pgmux in front of a {@link PostgresCluster}, started from YAML text on a port the OS picks.
 *
 * <p>{@link #config(PostgresCluster)} builds the YAML: by default auth_type scram-sha-256, two event loops (so
 * servers really move between loops), one database {@code app} at the cluster, and the user app_user/app_pw in
 * the tenant {@code main} with pool_size 5. Tests change what they need and may add users, tenants and databases.
 */
public final class ProxyFixture implements AutoCloseable {
    public static final String APP_USER = TestRole.APP.user();
    public static final String APP_PASSWORD = TestRole.APP.password();
    public static final String APP_DB = TestRole.APP_DATABASE;
    public static final String DEFAULT_TENANT = "main";

    private final PgmuxServer server;
    private final InetSocketAddress address;
    private final String yaml;
    private Runnable afterClose = () -> { };

    private ProxyFixture(PgmuxServer server, InetSocketAddress address, String yaml) {
        this.server = server;
        this.address = address;
        this.yaml = yaml;
    }

    /**
     * Parses {@code yaml} as pgmux would (with an empty environment), then listens on 127.0.0.1, port 0; the
     * metrics endpoint too listens on a port the OS picks (see {@link #metricsPort()}).
     */
    public static ProxyFixture start(String yaml) {
        PgmuxServer server = new PgmuxServer(parse(yaml));
        try {
            InetSocketAddress address = server.start();
            return new ProxyFixture(server, address, yaml);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while starting pgmux", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** As {@link #start(String)}, from a file that RELOAD and SIGHUP read again. */
    public static ProxyFixture startFromFile(java.nio.file.Path file) throws java.io.IOException {
        String yaml = java.nio.file.Files.readString(file);
        PgmuxServer server = new PgmuxServer(parse(yaml), file);
        try {
            return new ProxyFixture(server, server.start(), yaml);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while starting pgmux", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The configuration {@code yaml} gives, listening where a test's pgmux listens. */
    private static PgmuxConfig parse(String yaml) {
        PgmuxConfig parsed = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        return parsed.withListen(new ListenConfig("127.0.0.1", 0)).withMetrics(parsed.metrics().withPort(0));
    }

    /** Reloads the running pgmux with {@code next}, as a RELOAD would (listen and metrics stay as they are). */
    public void reconfigure(Config next) {
        server.reconfigure(parse(next.yaml()));
    }

    public static Config config(PostgresCluster cluster) {
        return new Config(cluster);
    }

    public String host() {
        return address.getHostString();
    }

    public int port() {
        return address.getPort();
    }

    /** The port of the metrics and health endpoint; fails if metrics.enabled is false. */
    public int metricsPort() {
        return server.metricsAddress().orElseThrow(() -> new AssertionError("metrics are not enabled")).getPort();
    }

    public PgmuxServer server() {
        return server;
    }

    public PoolManager pools() {
        return server.pools();
    }

    public String yaml() {
        return yaml;
    }

    /** The pool of (database, user), which exists once a client of it has logged in. */
    public ServerPool pool(String database, String user) {
        for (ServerPool each : pools().pools()) {
            if (each.key().database().equals(database) && each.key().user().equals(user)) {
                return each;
            }
        }
        throw new AssertionError("no pool for " + user + "@" + database + " among " + pools().pools());
    }

    public PoolSnapshot snapshot(String database, String user) {
        return pool(database, user).snapshot();
    }

    public PoolSnapshot appSnapshot() {
        return snapshot(APP_DB, APP_USER);
    }

    // ---- clients ----------------------------------------------------------------------------------------------

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** pgjdbc as app_user to app, unnamed statements only (prepareThreshold=0). */
    public Connection connect() throws SQLException {
        return connect(APP_USER, APP_PASSWORD, APP_DB, new Properties());
    }

    public Connection connect(Properties extra) throws SQLException {
        return connect(APP_USER, APP_PASSWORD, APP_DB, extra);
    }

    public Connection connect(String user, String password, String database) throws SQLException {
        return connect(user, password, database, new Properties());
    }

    public Connection connect(String user, String password, String database, Properties extra)
            throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("sslmode", "disable");
        props.setProperty("prepareThreshold", "0");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "20");
        props.setProperty("socketTimeout", "60");
        props.putAll(extra);
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** A raw connection, nothing sent yet. */
    public RawPgClient raw() {
        return RawPgClient.connect(host(), port());
    }

    /** A raw connection logged in as app_user to app. */
    public RawPgClient rawLogin() {
        return rawLogin(null);
    }

    public RawPgClient rawLogin(Map<String, String> extraStartup) {
        RawPgClient client = raw();
        try {
            client.login(APP_USER, APP_DB, APP_PASSWORD, extraStartup);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    public StartupResultAndClient rawLoginWithResult(Map<String, String> extraStartup) {
        RawPgClient client = raw();
        try {
            StartupResult result = client.login(APP_USER, APP_DB, APP_PASSWORD, extraStartup);
            return new StartupResultAndClient(client, result);
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** A logged-in raw client and what its login saw. */
    public record StartupResultAndClient(RawPgClient client, StartupResult startup) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    @Override
    public void close() {
        server.close();
        afterClose.run();
        flushLeakReports();
    }

    /**
     * Netty reports a leaked buffer only when the garbage collector has found it and a later allocation polls
     * for it: do both, so a "LEAK:" line lands next to the test that caused it rather than much later.
     */
    private static void flushLeakReports() {
        System.gc();
        for (int i = 0; i < 4; i++) {
            ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(8);
            probe.release();
        }
    }

    // ---- configuration ----------------------------------------------------------------------------------------

    /** Builds pgmux YAML for tests. Values are written as given, so quote them when YAML needs it. */
    public static final class Config {
        private final PostgresCluster cluster;
        private final Map<String, String> globals = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> tenants = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> databases = new LinkedHashMap<>();
        private final List<Map<String, String>> users = new ArrayList<>();
        private boolean defaultUser = true;

        Config(PostgresCluster cluster) {
            this.cluster = cluster;
            globals.put("auth_type", "scram-sha-256");
            globals.put("workers", "2");
            globals.put("query_wait_timeout", "20s");
            tenant(DEFAULT_TENANT, 5);
            database(APP_DB);
        }

        /** A top-level setting, e.g. {@code set("pool_mode", "session")}. */
        public Config set(String key, String value) {
            globals.put(key, value);
            return this;
        }

        /** pool_size of the default tenant. */
        public Config poolSize(int size) {
            tenants.get(DEFAULT_TENANT).put("pool_size", Integer.toString(size));
            return this;
        }

        public Config tenant(String name, int poolSize) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("pool_size", Integer.toString(poolSize));
            tenants.put(name, settings);
            return this;
        }

        public Config tenantSetting(String tenant, String key, String value) {
            tenants.get(tenant).put(key, value);
            return this;
        }

        /** A database served by the cluster, under the same name there. */
        public Config database(String name) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("host", cluster.host());
            settings.put("port", Integer.toString(cluster.port()));
            settings.put("dbname", name);
            databases.put(name, settings);
            return this;
        }

        public Config databaseSetting(String database, String key, String value) {
            databases.get(database).put(key, value);
            return this;
        }

        /** Adds a user; the first call replaces the default app_user entry, so list app_user again if needed. */
        public Config user(String name, String password, String tenant) {
            defaultUser = false;
            Map<String, String> user = new LinkedHashMap<>();
            user.put("name", name);
            user.put("password", password);
            if (tenant != null) {
                user.put("tenant", tenant);
            }
            users.add(user);
            return this;
        }

        public String yaml() {
            StringBuilder y = new StringBuilder();
            globals.forEach((k, v) -> y.append(k).append(": ").append(v).append('\n'));
            y.append("databases:\n");
            databases.forEach((name, settings) -> {
                y.append("  ").append(name).append(":\n");
                settings.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
            });
            y.append("tenants:\n");
            tenants.forEach((name, settings) -> {
                y.append("  ").append(name).append(":\n");
                settings.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
            });
            y.append("users:\n");
            List<Map<String, String>> all = users;
            if (defaultUser) {
                all = List.of(Map.of("name", APP_USER, "password", APP_PASSWORD, "tenant", DEFAULT_TENANT));
            }
            for (Map<String, String> user : all) {
                String prefix = "  - ";
                for (String key : List.of("name", "password", "tenant")) {
                    if (user.containsKey(key)) {
                        y.append(prefix).append(key).append(": ").append(user.get(key)).append('\n');
                        prefix = "    ";
                    }
                }
            }
            return y.toString();
        }

        /**
         * Starts pgmux. Its close() also terminates whatever backends the configured users still have on the
         * cluster: PgmuxServer.close() does not reliably close its connections (see ShutdownIT), and strays would
         * skew the backend counts of later tests and eat the cluster's max_connections.
         */
        public ProxyFixture start() {
            ProxyFixture fixture = ProxyFixture.start(yaml());
            List<String> names = new ArrayList<>();
            (defaultUser ? List.of(Map.of("name", APP_USER)) : users).forEach(u -> names.add(u.get("name")));
            fixture.afterClose = () -> {
                for (String each : names) {
                    try {
                        cluster.terminateBackends(null, each);
                    } catch (SQLException | RuntimeException | AssertionError e) {
                        // The cluster may be down on purpose (UpstreamRestartIT); nothing to clean then.
                    }
                }
            };
            return fixture;
        }
    }
}
