package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What SHOW STATS and /metrics count, checked against what clients did. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatsCountingIT {
    private static final String[] POOL = {"database", ProxyFixture.APP_DB, "tenant", ProxyFixture.DEFAULT_TENANT,
        "user", ProxyFixture.APP_USER};
    private final PostgresCluster cluster;

    StatsCountingIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * The first client of a new pool waits at login for the pool's first server: its first transaction counts
     * like every later one, in the transactions, the queries and the transaction time.
     */
    @Test
    void theFirstTransactionOfANewPoolIsCounted() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}").start()) {
            for (int i = 1; i <= 3; i++) {
                try (RawPgClient client = proxy.rawLogin(java.util.Map.of("application_name", "psql"))) {
                    client.query("select 1");
                    client.readUntilReady();
                }
                Scrape after = Scrape.metrics(proxy);
                assertEquals(i, after.value("pgmux_queries_total", POOL), after.body());
                assertEquals(i, after.value("pgmux_transactions_total", POOL), after.body());
                assertEquals(i, after.value("pgmux_transaction_duration_seconds_count", POOL), after.body());
            }
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            try (Connection c = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux", simple);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW STATS")) {
                assertTrue(rs.next());
                assertEquals(ProxyFixture.APP_DB, rs.getString("database"));
                assertEquals(3, rs.getLong("total_xact_count"));
                assertEquals(3, rs.getLong("total_query_count"));
                assertTrue(rs.getLong("total_xact_time") >= rs.getLong("total_query_time"),
                        "each transaction holds its query");
            }
        }
    }

    /**
     * SHOW STATS counts prepared statements as PgBouncer does: total_client_parse_count the statements clients
     * create (named Parses), total_bind_count their Binds, total_server_parse_count those pgmux prepares on servers.
     * The unnamed statement each query of the extended protocol parses and binds is none of them.
     */
    @Test
    void onlyNamedStatementsCountAsParsesAndBinds() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}").start()) {
            executeFiveTimes(proxy, "0"); // pgjdbc's unnamed statement every time
            assertPreparedCounts(proxy, 5, 0, 0, 0);
            Scrape unnamed = Scrape.metrics(proxy);
            assertEquals(0, unnamed.value("pgmux_client_parses_total", POOL), unnamed.body());
            assertEquals(0, unnamed.value("pgmux_binds_total", POOL), unnamed.body());

            executeFiveTimes(proxy, "1"); // named from the first execution: one Parse, five Binds
            assertPreparedCounts(proxy, 10, 1, 1, 5);
            Scrape named = Scrape.metrics(proxy);
            assertEquals(1, named.value("pgmux_client_parses_total", POOL), named.body());
            assertEquals(1, named.value("pgmux_server_parses_total", POOL), named.body());
            assertEquals(5, named.value("pgmux_binds_total", POOL), named.body());
        }
    }

    private static void executeFiveTimes(ProxyFixture proxy, String prepareThreshold) throws SQLException {
        Properties props = new Properties();
        props.setProperty("prepareThreshold", prepareThreshold);
        try (Connection c = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.APP_DB,
                props); PreparedStatement ps = c.prepareStatement("select ?::int")) {
            for (int i = 0; i < 5; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i, rs.getInt(1));
                }
            }
        }
    }

    private static void assertPreparedCounts(ProxyFixture proxy, long queries, long clientParses, long serverParses, long binds)
            throws SQLException {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (Connection c = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux", simple);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW STATS")) {
            assertTrue(rs.next());
            assertEquals(ProxyFixture.APP_DB, rs.getString("database"));
            assertTrue(rs.getLong("total_query_count") >= queries, "each execution is a query all the same");
            assertEquals(clientParses, rs.getLong("total_client_parse_count"));
            assertEquals(serverParses, rs.getLong("total_server_parse_count"));
            assertEquals(binds, rs.getLong("total_bind_count"));
        }
    }

    /**
     * The admin console has no pool (README, "Admin console"): a wrong password there is counted as one, and nothing
     * else of a pool's appears for database pgmux, neither series in /metrics nor a row in SHOW STATS.
     */
    @Test
    void aRefusedConsoleLoginMakesNoPool() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster)
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}").start()) {
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, "bad", "pgmux").close());
            assertEquals("28P01", wrong.getSQLState(), wrong.toString());

            Scrape after = Scrape.metrics(proxy);
            List<String> console = new ArrayList<>();
            for (String line : after.body().split("\n")) {
                if (!line.startsWith("#") && line.contains("database=\"pgmux\"")) {
                    console.add(line.substring(0, line.indexOf('{')));
                }
            }
            assertEquals(List.of("pgmux_auth_failures_total"), console, after.body());
            assertEquals(1.0, after.value("pgmux_auth_failures_total", "database", "pgmux", "tenant",
                    ProxyFixture.DEFAULT_TENANT, "user", ProxyFixture.APP_USER), after.body());

            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            try (Connection c = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux", simple);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW STATS")) {
                List<String> databases = new ArrayList<>();
                while (rs.next()) {
                    databases.add(rs.getString("database"));
                }
                assertEquals(List.of(), databases, "no pool has counted anything yet");
            }
        }
    }

    /**
     * A configured user with a wrong password is that, whichever database the login named: one pgpass line off by a
     * database name is no unknown user. pgmux, like PostgreSQL, checks the password before the database.
     */
    @Test
    void aKnownUsersWrongPasswordToAnUnservedDatabaseIsAWrongPassword() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            SQLException wrong = assertThrows(SQLException.class,
                    () -> proxy.connect(ProxyFixture.APP_USER, "bad", "nosuch1").close());
            assertEquals("28P01", wrong.getSQLState(), wrong.toString());
            assertThrows(SQLException.class, () -> proxy.connect("nobody", "bad", "nosuch2").close());

            Scrape after = Scrape.metrics(proxy);
            assertEquals(1.0, after.value("pgmux_auth_failures_total", "database", "(not configured)", "tenant",
                    ProxyFixture.DEFAULT_TENANT, "user", ProxyFixture.APP_USER), after.body());
            assertEquals(1.0, after.value("pgmux_auth_failures_unknown_user_total", "database", "(not configured)"),
                    "only the unknown user: " + after.body());
        }
    }
}
