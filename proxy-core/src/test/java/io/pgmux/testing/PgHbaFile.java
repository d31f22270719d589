package io.pgmux.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test cluster's pg_hba.conf, read and rewritten through the superuser's connection (the file belongs to the
 * server's OS user): for tests that need other access rules for a while, e.g. {@code hostssl} only.
 */
public final class PgHbaFile {
    private final PostgresCluster cluster;

    public PgHbaFile(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** The file's lines as they are now. */
    public List<String> lines() throws SQLException {
        String file = one("show hba_file");
        return List.of(one("select pg_read_file('" + file.replace("'", "''") + "')").split("\n"));
    }

    /** Writes the file as the server's own user (COPY ... TO runs in the server), reloads it and waits for that. */
    public void write(List<String> lines) throws SQLException {
        String file = one("show hba_file");
        List<String> literals = new ArrayList<>();
        lines.forEach(line -> literals.add("'" + line.replace("'", "''") + "'"));
        try (Connection su = cluster.superuser(); Statement st = su.createStatement()) {
            // COPY takes no parameters; the lines are the test's or the file's own.
            st.execute("copy (select unnest(array[" + String.join(", ", literals) + "]::text[])) to '"
                    + file.replace("'", "''") + "'");
            st.execute("select pg_reload_conf()");
        }
        List<String> rules = new ArrayList<>();
        for (String each : lines) {
            if (!each.isBlank() && !each.startsWith("#")) {
                rules.add(each.trim().split("\\s+")[0]);
            }
        }
        // The reload is asynchronous: wait until the server's view of its rules is the file's.
        Await.untilChecked(Duration.ofSeconds(10), () -> String.join(",", rules).equals(
                one("select string_agg(type, ',' order by line_number) from pg_hba_file_rules")),
                "pg_hba.conf reloaded");
    }

    private String one(String sql) throws SQLException {
        try (Connection su = cluster.superuser(); Statement st = su.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
