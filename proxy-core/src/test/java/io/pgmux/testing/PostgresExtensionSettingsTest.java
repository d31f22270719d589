package io.pgmux.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension's other form: a class-scoped cluster with its own settings. */
final class PostgresExtensionSettingsTest {

    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.withSettings(
            PostgresCluster.Settings.defaults().withMaxConnections(25));

    private final PostgresCluster cluster;

    PostgresExtensionSettingsTest(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void injectsOneSeparateClusterPerClass(PostgresCluster parameter) throws SQLException {
        assertSame(cluster, parameter);
        assertNotSame(PostgresCluster.shared(), cluster);
        try (Connection c = cluster.superuser()) {
            assertEquals("25", PostgresClusterTest.scalar(c, "show max_connections"));
        }
    }

    @Test
    void sameClusterForEveryTestOfTheClass(PostgresCluster parameter) throws SQLException {
        assertSame(cluster, parameter);
        try (Connection c = cluster.connect(TestRole.APP_DATABASE, TestRole.APP.user(), TestRole.APP.password())) {
            assertEquals("app_user", PostgresClusterTest.scalar(c, "select current_user"));
        }
    }
}
