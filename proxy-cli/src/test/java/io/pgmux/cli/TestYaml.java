package io.pgmux.cli;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.TestRole;

/**
 * A pgmux configuration for the tests that run the command line against the suite's PostgreSQL: database
 * {@code app}, the user app_user in tenant {@code main} (also the console's admin), listening on the given ports.
 */
final class TestYaml {
    static final String USER = TestRole.APP.user();
    static final String PASSWORD = TestRole.APP.password();
    static final String DATABASE = TestRole.APP_DATABASE;

    private TestYaml() {
    }

    static String of(PostgresCluster cluster, int port, int metricsPort, int poolSize, String extra) {
        return "listen: {host: 127.0.0.1, port: " + port + "}\n"
                + "metrics: {host: 127.0.0.1, port: " + metricsPort + "}\n"
                + "workers: 2\n"
                + "query_wait_timeout: 30s\n"
                + "max_client_connections: 1000\n"
                + "admin: {users: [" + USER + "]}\n"
                + "databases:\n"
                + "  " + DATABASE + ": {host: " + cluster.host() + ", port: " + cluster.port() + "}\n"
                + "tenants:\n"
                + "  main: {pool_size: " + poolSize + "}\n"
                + "users:\n"
                + "  - {name: " + USER + ", password: " + PASSWORD + ", tenant: main}\n"
                + extra;
    }
}
