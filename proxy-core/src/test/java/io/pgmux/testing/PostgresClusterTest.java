package io.pgmux.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(PostgresExtension.class)
final class PostgresClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final PostgresCluster cluster;

    PostgresClusterTest(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void injectsTheSharedCluster(PostgresCluster parameter) {
        assertSame(PostgresCluster.shared(), cluster);
        assertSame(cluster, parameter);
        assertEquals("jdbc:postgresql://" + cluster.host() + ":" + cluster.port() + "/app", cluster.jdbcUrl("app"));
    }

    @Test
    void superuserIsASuperuser() throws SQLException {
        try (Connection c = cluster.superuser()) {
            assertEquals("on", scalar(c, "show is_superuser"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestRole.class)
    void eachRoleLogsInWithItsPasswordOnly(TestRole role) throws SQLException {
        try (Connection c = cluster.connect("postgres", role.user(), role.password())) {
            assertEquals(role.user(), scalar(c, "select current_user"));
        }
        SQLException wrong = assertThrows(SQLException.class,
                () -> cluster.connect("postgres", role.user(), role.password() + "-wrong").close());
        assertEquals("28P01", wrong.getSQLState(), wrong.toString()); // invalid_password
    }

    @Test
    void passwordsAreStoredAsEachRoleNeeds() throws SQLException {
        try (Connection c = cluster.superuser()) {
            for (TestRole role : TestRole.values()) {
                String stored = scalar(c, "select rolpassword from pg_authid where rolname = '" + role.user() + "'");
                String prefix = role.storedAs().equals("md5") ? "md5" : "SCRAM-SHA-256$";
                assertTrue(stored.startsWith(prefix), role + " stored as " + stored);
            }
        }
    }

    @Test
    void appUserOwnsAppDatabaseAndCanCreateTables() throws SQLException {
        try (Connection c = cluster.connect(TestRole.APP_DATABASE, TestRole.APP.user(), TestRole.APP.password())) {
            assertEquals("app_user", scalar(c, "select pg_get_userbyid(datdba) from pg_database where datname = 'app'"));
            try (Statement st = c.createStatement()) {
                st.execute("create temporary table t (x int)");
            }
        }
    }

    @Test
    void countsAndTerminatesBackends() throws SQLException {
        // Backends of connections closed by earlier tests exit asynchronously.
        Await.untilChecked(WAIT, () -> cluster.countBackends(TestRole.APP_DATABASE, TestRole.SCRAM.user()) == 0,
                "no scram_user backends left over from earlier tests");
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                connections.add(cluster.connect(TestRole.APP_DATABASE, TestRole.SCRAM.user(), TestRole.SCRAM.password()));
            }
            assertEquals(3, cluster.countBackends(TestRole.APP_DATABASE, TestRole.SCRAM.user()));
            assertEquals(0, cluster.countBackends("postgres", TestRole.SCRAM.user()));
            assertTrue(cluster.countBackends(null, null) >= 3);

            connections.get(0).close();
            Await.untilChecked(WAIT, () -> cluster.countBackends(TestRole.APP_DATABASE, TestRole.SCRAM.user()) == 2,
                    "a closed connection's backend to exit");

            cluster.terminateBackends(TestRole.APP_DATABASE, TestRole.SCRAM.user());
            assertEquals(0, cluster.countBackends(TestRole.APP_DATABASE, TestRole.SCRAM.user()));
            SQLException killed = assertThrows(SQLException.class, () -> scalar(connections.get(1), "select 1"));
            assertEquals("57P01", killed.getSQLState(), killed.toString()); // admin_shutdown
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    @Test
    void restartsOnTheSamePort() throws Exception {
        assumeTrue(cluster.canRestart(), "cluster cannot be restarted here");
        int port = cluster.port();
        Connection before = cluster.connect(TestRole.APP_DATABASE, TestRole.APP.user(), TestRole.APP.password());
        cluster.stop();
        try {
            assertThrows(SQLException.class, () -> cluster.superuser().close());
            assertFalse(before.isValid(2));
        } finally {
            cluster.start();
            before.close();
        }
        assertEquals(port, cluster.port());
        try (Connection after = cluster.connect(TestRole.APP_DATABASE, TestRole.APP.user(), TestRole.APP.password())) {
            assertEquals("1", scalar(after, "select 1"));
        }
        cluster.start(); // starting a running cluster is a no-op
    }

    @Test
    void localClusterHasLogAndBinaries() {
        assumeTrue(cluster.canRestart(), "only local clusters have a log file and binaries");
        assertNotNull(cluster.logFile());
        assertTrue(Files.isRegularFile(cluster.logFile()), cluster.logFile().toString());
        assertTrue(Files.isExecutable(Path.of(cluster.binDir(), "pg_ctl")));
    }

    @Test
    void separateClusterWithOtherSettings() throws SQLException {
        PostgresCluster.Settings settings = PostgresCluster.Settings.defaults()
                .withMaxConnections(25)
                .with("application_name", "pgmux separate");
        PostgresCluster separate = PostgresCluster.start(settings);
        try (separate) {
            assertNotEquals(cluster.port(), separate.port());
            try (Connection c = separate.superuser()) {
                assertEquals("25", scalar(c, "show max_connections"));
                assertEquals("off", scalar(c, "show fsync"));
            }
            try (Connection c = separate.connect(TestRole.APP_DATABASE, TestRole.APP.user(), TestRole.APP.password())) {
                assertEquals("app_user", scalar(c, "select current_user"));
            }
        }
        assertThrows(SQLException.class, () -> separate.superuser().close(), "closed cluster still accepts connections");
        try (Connection c = cluster.superuser()) {
            assertEquals("100", scalar(c, "show max_connections"));
        }
    }

    @Test
    void startupFailureReportsTheServerLog() {
        assumeTrue(cluster.binDir() != null, "the log tail is only reported for local clusters");
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> PostgresCluster.start(PostgresCluster.Settings.defaults().with("shared_buffers", "plenty")).close());
        assertTrue(failure.getMessage().contains("invalid value for parameter \"shared_buffers\""), failure.getMessage());
    }

    @Test
    void settingsRefuseManagedKeys() {
        assertThrows(IllegalArgumentException.class, () -> PostgresCluster.Settings.defaults().with("port", "1"));
        assertThrows(IllegalArgumentException.class, () -> PostgresCluster.Settings.defaults().with("bad key", "1"));
        assertThrows(IllegalArgumentException.class, () -> PostgresCluster.Settings.defaults().withMaxConnections(1));
    }

    static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "no row from " + sql);
            return rs.getString(1);
        }
    }
}
