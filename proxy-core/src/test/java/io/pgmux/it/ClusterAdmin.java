package io.pgmux.it;

import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Idempotent set-up done as the cluster's superuser: extra roles, databases, tables. */
final class ClusterAdmin {
    private ClusterAdmin() {
    }

    /** A login role with a SCRAM password, allowed to create tables in {@code public} of the app database. */
    static void ensureRole(PostgresCluster cluster, String role, String password) throws SQLException {
        requireIdentifier(role);
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            String verb = exists(su, "select 1 from pg_roles where rolname = ?", role) ? "ALTER" : "CREATE";
            st.execute(verb + " ROLE " + role + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        }
    }

    /** A database owned by {@code owner}. */
    static void ensureDatabase(PostgresCluster cluster, String database, String owner) throws SQLException {
        requireIdentifier(database);
        requireIdentifier(owner);
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            if (!exists(su, "select 1 from pg_database where datname = ?", database)) {
                st.execute("CREATE DATABASE " + database + " OWNER " + owner);
            }
        }
    }

    /** Runs DDL in the app database as app_user, directly (not through pgmux). */
    static void appDdl(PostgresCluster cluster, String... statements) throws SQLException {
        try (Connection c = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
             Statement st = c.createStatement()) {
            for (String each : statements) {
                st.execute(each);
            }
        }
    }

    /**
     * Terminates the backends {@code user} has on any database. Tests that count backends call it before their
     * pgmux opens any, to start from zero: an earlier test's pgmux may have left a server connection open (see
     * ShutdownIT for that bug), and it would be counted as one of theirs.
     */
    static void terminateStrayBackends(PostgresCluster cluster, String user) throws SQLException {
        cluster.terminateBackends(null, user);
    }

    /**
     * Waits until a query containing {@code marker} runs on the cluster (pg_stat_activity says active): a cancel
     * sent earlier may reach a backend that has not read the query yet, which PostgreSQL ignores, on a direct
     * connection as through pgmux.
     */
    static void awaitRunning(PostgresCluster cluster, String marker) throws SQLException {
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("select 1 from pg_stat_activity where state = 'active'"
                     + " and query like '%' || ? || '%' and pid <> pg_backend_pid()")) {
            ps.setString(1, marker);
            io.pgmux.testing.Await.untilChecked(java.time.Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }, "a query marked " + marker + " to run");
        }
    }

    /** {@link #appDdl} for tests that declare no checked exceptions. */
    static void appDdlUnchecked(PostgresCluster cluster, String... statements) {
        try {
            appDdl(cluster, statements);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireIdentifier(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
    }
}
