package io.pgmux.it;

import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients of a reliability test were told about their transactions, checked against what the database
 * holds. Each transaction writes its rows into {@value #TABLE} under an id of its own; the client records it as
 * committed when COMMIT (or an autocommit COPY) was acknowledged, aborted when it rolled back or failed before
 * COMMIT was sent, and in doubt when the connection broke while COMMIT was on its way (either outcome is
 * correct then, but not half of one).
 */
final class Ledger {
    static final String TABLE = "reliability_rows";

    enum Outcome { COMMITTED, ABORTED, IN_DOUBT }

    private record Entry(Outcome outcome, int rows) {
    }

    /** The figures of one check. */
    record Verdict(int committed, int aborted, int inDoubt, int lostCommits, int phantomRows, int partial) {
        int checked() {
            return committed + aborted + inDoubt;
        }

        boolean holds() {
            return lostCommits == 0 && phantomRows == 0 && partial == 0;
        }

        @Override
        public String toString() {
            return checked() + " transactions checked (" + committed + " committed, " + aborted + " aborted, "
                    + inDoubt + " in doubt): " + lostCommits + " lost commits, " + phantomRows
                    + " aborted ones present, " + partial + " partly present";
        }
    }

    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    /** Creates or empties the table, as app_user, directly. */
    static Ledger create(PostgresCluster cluster) throws SQLException {
        ClusterAdmin.appDdl(cluster,
                "CREATE TABLE IF NOT EXISTS " + TABLE + " (tx bigint NOT NULL, worker int NOT NULL, n int NOT NULL)",
                "TRUNCATE " + TABLE);
        return new Ledger();
    }

    long newTransaction() {
        return nextId.getAndIncrement();
    }

    void record(long tx, Outcome outcome, int rows) {
        entries.put(tx, new Entry(outcome, rows));
    }

    /** Reads the table directly (not through pgmux) and compares it with what clients were told. */
    Verdict verify(PostgresCluster cluster) throws SQLException {
        Map<Long, Integer> present = new HashMap<>();
        try (Connection c = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tx, count(*) FROM " + TABLE + " GROUP BY tx")) {
            while (rs.next()) {
                present.put(rs.getLong(1), rs.getInt(2));
            }
        }
        int committed = 0;
        int aborted = 0;
        int inDoubt = 0;
        int lost = 0;
        int phantom = 0;
        int partial = 0;
        for (Map.Entry<Long, Entry> each : entries.entrySet()) {
            int found = present.getOrDefault(each.getKey(), 0);
            Entry entry = each.getValue();
            if (found != 0 && found != entry.rows()) {
                partial++;
            }
            switch (entry.outcome()) {
                case COMMITTED -> {
                    committed++;
                    if (found == 0) {
                        lost++;
                    }
                }
                case ABORTED -> {
                    aborted++;
                    if (found != 0) {
                        phantom++;
                    }
                }
                case IN_DOUBT -> inDoubt++;
            }
        }
        return new Verdict(committed, aborted, inDoubt, lost, phantom, partial);
    }
}
