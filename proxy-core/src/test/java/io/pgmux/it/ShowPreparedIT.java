package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
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

/**
 * SHOW PREPARED lists the statements pgmux prepares on servers in transaction mode: one row per shared
 * server-side name, with the servers that have it prepared and the clients that hold it under names of their own.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShowPreparedIT {
    private static final int INT4 = 23;
    private static final String ADMIN = "pgadmin";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final String SQL = "select $1::int + 1 as next";
    private final PostgresCluster cluster;

    ShowPreparedIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private record Row(String database, String user, String name, String statement, int servers, int clients) {
    }

    private static List<Row> showPrepared(Connection console) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Statement s = console.createStatement(); ResultSet rs = s.executeQuery("SHOW PREPARED")) {
            while (rs.next()) {
                rows.add(new Row(rs.getString("database"), rs.getString("user"), rs.getString("name"),
                        rs.getString("statement"), rs.getInt("servers"), rs.getInt("clients")));
            }
        }
        return rows;
    }

    private static void prepare(RawPgClient client, String name) {
        client.parse(name, SQL, INT4);
        client.sync();
        assertEquals("1Z", Raw.types(client.readUntilReady()), "Parse of " + name);
    }

    @Test
    void twoClientsPreparingTheSameStatementShareOneRowUntilOneDeallocatesIt() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(ADMIN, ADMIN_PASSWORD, null).set("admin", "{users: [" + ADMIN + "]}").start()) {
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            try (RawPgClient first = proxy.rawLogin(); RawPgClient second = proxy.rawLogin();
                 Connection console = proxy.connect(ADMIN, ADMIN_PASSWORD, "pgmux", simple)) {
                assertEquals(List.of(), showPrepared(console));

                prepare(first, "mine");
                prepare(first, "mine_again"); // a second name of the same client counts once
                prepare(second, "theirs");

                List<Row> rows = showPrepared(console);
                assertEquals(1, rows.size(), rows::toString);
                Row row = rows.get(0);
                assertEquals(ProxyFixture.APP_DB, row.database());
                assertEquals(ProxyFixture.APP_USER, row.user());
                assertTrue(row.name().startsWith("pgmux_"), row.name());
                assertEquals(SQL, row.statement());
                assertTrue(row.servers() >= 1, row::toString);
                assertEquals(2, row.clients());

                assertEquals('I', Raw.command(first, "DEALLOCATE mine"));
                assertEquals(2, showPrepared(console).get(0).clients(), "first still holds mine_again");
                assertEquals('I', Raw.command(first, "DEALLOCATE mine_again"));
                List<Row> after = showPrepared(console);
                assertEquals(1, after.size(), after::toString);
                assertEquals(row.name(), after.get(0).name());
                assertEquals(1, after.get(0).clients());
            }
        }
    }

    @Test
    void pgjdbcServerPreparedStatementsAreListedWithTheirText() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2)
                .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, ProxyFixture.DEFAULT_TENANT)
                .user(ADMIN, ADMIN_PASSWORD, null).set("admin", "{users: [" + ADMIN + "]}").start()) {
            Properties named = new Properties();
            named.setProperty("prepareThreshold", "1");
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            String sql = "select $1::int * 2";
            try (Connection a = proxy.connect(named); Connection b = proxy.connect(named);
                 Connection console = proxy.connect(ADMIN, ADMIN_PASSWORD, "pgmux", simple)) {
                for (Connection each : List.of(a, b)) {
                    try (java.sql.PreparedStatement ps = each.prepareStatement(sql.replace("$1", "?"))) {
                        ps.setInt(1, 21);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertEquals(42, rs.getInt(1));
                        }
                    }
                }
                List<Row> rows = showPrepared(console).stream().filter(r -> r.statement().equals(sql)).toList();
                assertEquals(1, rows.size(), () -> "rows: " + rows);
                assertTrue(rows.get(0).servers() >= 1, rows::toString);
                assertEquals(2, rows.get(0).clients());
            }
        }
    }
}
