package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.LogCapture;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reload that removes a user and a database with clients connected: the clients keep their connections and go on
 * working, as a session of a role dropped in PostgreSQL does, and the log says how many there are and how to close
 * them; a new login of that user, or to that database, is refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReloadRemovalsIT {
    private static final String USER = "backoffice";
    private static final String PASSWORD = "backoffice_pw";
    private static final String ARCHIVE = "removal_archive";

    private final PostgresCluster cluster = PostgresCluster.shared();

    private ProxyFixture.Config config(boolean before) {
        ProxyFixture.Config config = ProxyFixture.config(cluster).tenant("back", 2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT);
        return before ? config.database(ARCHIVE).user(USER, PASSWORD, "back") : config;
    }

    @Test
    void theirConnectedClientsKeepWorkingAndTheReloadSaysHowMany() throws Exception {
        ClusterAdmin.ensureRole(cluster, USER, PASSWORD);
        ClusterAdmin.ensureDatabase(cluster, ARCHIVE, ProxyFixture.APP_USER);
        try (ProxyFixture proxy = config(true).start();
             Connection first = proxy.connect(USER, PASSWORD, ProxyFixture.APP_DB);
             Connection second = proxy.connect(USER, PASSWORD, ProxyFixture.APP_DB);
             Connection app = proxy.connect();
             Connection archive = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ARCHIVE);
             LogCapture log = LogCapture.start()) {
            proxy.reconfigure(config(false));

            String expected = "user backoffice removed from the configuration; its 2 connected clients keep their"
                    + " connections until they leave (KILL_CLIENT closes one; SHOW CLIENTS lists them)";
            Await.until(Duration.ofSeconds(10), () -> !log.linesWith(expected).isEmpty(), "the removed user's line");
            assertEquals(1, log.linesWith("database " + ARCHIVE + " removed from the configuration; its 1 connected"
                    + " client keeps its connection until it leaves").size(), "the removed database's line");
            assertEquals(List.of(), log.linesWith("user " + ProxyFixture.APP_USER + " removed"),
                    "a user that stays is not reported");
            for (Connection each : List.of(first, second)) {
                assertEquals(USER, oneValue(each, "select current_user"), "the removed user's client still works");
            }
            assertEquals(ProxyFixture.APP_USER, oneValue(app, "select current_user"));
            assertEquals(ARCHIVE, oneValue(archive, "select current_database()"), "the removed database's client too");
            SQLException refused = assertThrows(SQLException.class,
                    () -> proxy.connect(USER, PASSWORD, ProxyFixture.APP_DB).close());
            assertTrue(refused.getSQLState().startsWith("28"), "a new login is refused: " + refused.getSQLState()
                    + " " + refused.getMessage());
            SQLException unknown = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ARCHIVE).close());
            assertEquals("3D000", unknown.getSQLState(), unknown.getMessage());
        } finally {
            cluster.terminateBackends(null, USER);
        }
    }

    private static String oneValue(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
