package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.FaultyRelay;
import io.pgmux.testing.FaultyRelay.Direction;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * Network faults between pgmux and PostgreSQL, and between a client and pgmux, injected by a {@link FaultyRelay}
 * while clients work; after each, the {@link Invariants} must hold. See docs/RELIABILITY.md.
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NetworkFaultsIT {
    private static final Duration RUN = Duration.ofSeconds(60);
    private final PostgresCluster cluster;

    NetworkFaultsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void noStrayBackends() throws SQLException {
        ClusterAdmin.terminateStrayBackends(cluster, ProxyFixture.APP_USER);
    }

    private ProxyFixture.Config through(FaultyRelay relay) {
        return ProxyFixture.config(cluster).poolSize(4)
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port()));
    }

    /** Lets the load run until it has done {@code more} operations. */
    private static void progress(Workload load, long more, String what) {
        long target = load.ops() + more;
        Await.until(RUN, () -> load.ops() >= target, what + ": " + more + " more operations");
    }

    @Test
    void latencyAndABandwidthLimitChangeNothingButSpeed() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).start()) {
            Ledger ledger = Ledger.create(cluster);
            relay.latency(Duration.ofMillis(3));
            relay.bandwidth(4 * 1024 * 1024);
            Workload load = Workload.start(proxy, ledger, 12, Workload.Mix.everything());
            progress(load, 400, "under latency and a bandwidth limit");
            Workload.Figures figures = load.stop(RUN);
            assertEquals(0, figures.broken(), "no connection should break under latency alone: " + figures);
            Invariants.check("latency 3 ms per chunk, 4 MB/s", proxy, cluster, ledger, figures);
        }
    }

    @Test
    void serverConnectionsResetUnderLoad() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).start()) {
            Ledger ledger = Ledger.create(cluster);
            Workload load = Workload.start(proxy, ledger, 12, Workload.Mix.everything());
            progress(load, 100, "before the first reset");
            int resets = 0;
            for (int round = 0; round < 4; round++) {
                resets += relay.reset();
                progress(load, 100, "after reset " + (round + 1));
            }
            Workload.Figures figures = load.stop(RUN);
            assertTrue(resets > 0, "the relay reset no connection");
            Invariants.check(resets + " server connections reset under load", proxy, cluster, ledger, figures);
        }
    }

    @Test
    void aResetInTheMiddleOfATransactionLosesItAndNothingElse() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).start()) {
            Ledger ledger = Ledger.create(cluster);
            long tx = ledger.newTransaction();
            Connection c = proxy.connect();
            c.setAutoCommit(false);
            insert(c, tx, 3);
            assertEquals(1, relay.reset(), "the transaction's server connection");
            SQLException broken = assertThrows(SQLException.class, () -> c.commit());
            assertNotNull(broken.getSQLState(), broken.toString());
            ledger.record(tx, Ledger.Outcome.ABORTED, 3);
            closeQuietly(c);
            Invariants.check("reset in the middle of a transaction", proxy, cluster, ledger, noLoad());
        }
    }

    @Test
    void aResetInTheMiddleOfACopyLosesTheCopyAndNothingElse() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).start()) {
            Ledger ledger = Ledger.create(cluster);
            long tx = ledger.newTransaction();
            int rows = 400_000;
            Connection c = proxy.connect();
            relay.resetAfter(Direction.TO_UPSTREAM, 1 << 20);
            assertThrows(SQLException.class, () -> c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + Ledger.TABLE + " FROM STDIN", rowsOf(tx, rows)));
            assertTrue(relay.triggered(), "the reset did not come in the middle of the COPY");
            ledger.record(tx, Ledger.Outcome.IN_DOUBT, rows);
            closeQuietly(c);
            Ledger.Verdict verdict = Invariants.check("reset in the middle of COPY FROM STDIN", proxy, cluster,
                    ledger, noLoad()).ledger();
            assertEquals(0, verdict.partial());
            try (Connection direct = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER,
                    ProxyFixture.APP_PASSWORD)) {
                assertEquals("0", Sql.one(direct, "SELECT count(*) FROM " + Ledger.TABLE + " WHERE tx = " + tx),
                        "a COPY cut off before its end must leave nothing");
            }
        }
    }

    @Test
    void aResetInTheMiddleOfALargeResultFailsThatQueryAlone() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).start()) {
            Ledger ledger = Ledger.create(cluster);
            Connection c = proxy.connect();
            relay.resetAfter(Direction.TO_DOWNSTREAM, 2 << 20);
            SQLException broken = assertThrows(SQLException.class, () -> {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g")) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                }
            });
            assertTrue(relay.triggered(), "the reset did not come in the middle of the result: " + broken);
            closeQuietly(c);
            Invariants.check("reset in the middle of a large result", proxy, cluster, ledger, noLoad());
        }
    }

    @Test
    void aClientResetInTheMiddleOfATransactionGetsItsServerRolledBackAndReturned() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             FaultyRelay clientSide = new FaultyRelay(proxy.host(), proxy.port())) {
            Ledger ledger = Ledger.create(cluster);
            long tx = ledger.newTransaction();
            Connection c = connectThrough(clientSide);
            c.setAutoCommit(false);
            insert(c, tx, 2);
            Await.until(RUN, () -> proxy.appSnapshot().serversActive() == 1, "the transaction holding a server");
            assertEquals(1, clientSide.reset());
            ledger.record(tx, Ledger.Outcome.ABORTED, 2);
            closeQuietly(c);
            Invariants.check("client reset in the middle of a transaction", proxy, cluster, ledger, noLoad());
        }
    }

    @Test
    void aClientThatStopsReadingHoldsBackItsServerNotPgmuxMemoryAndIsGoneWhenItVanishes() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start();
             FaultyRelay clientSide = new FaultyRelay(proxy.host(), proxy.port())) {
            Ledger ledger = Ledger.create(cluster);
            Connection c = connectThrough(clientSide);
            String query = "SELECT g, repeat('y', 200) FROM generate_series(1, 3000000) g";
            Thread reader = new Thread(() -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                } catch (SQLException expected) {
                    // the relay stalls, then resets
                }
            }, "stalled-reader");
            reader.setDaemon(true);
            reader.start();
            Await.until(RUN, () -> clientSide.forwarded(Direction.TO_DOWNSTREAM) > (1 << 20), "rows flowing");
            clientSide.stall(Direction.TO_DOWNSTREAM);
            // pgmux stops reading from the server once the client's socket is full, so PostgreSQL waits to write:
            // the result waits in the database, not in pgmux's memory.
            Await.untilChecked(RUN, () -> "ClientWrite".equals(waitEventOf(query)),
                    "the backend waiting to write to pgmux (wait_event ClientWrite)");
            try (Connection other = proxy.connect()) {
                assertEquals("1", Sql.one(other, "SELECT 1"), "others are served by the other server meanwhile");
            }
            assertEquals(1, clientSide.reset());
            reader.join(TimeUnit.SECONDS.toMillis(60));
            closeQuietly(c);
            Invariants.check("client stopped reading mid-result, then reset", proxy, cluster, ledger, noLoad());
        }
    }

    private String waitEventOf(String query) throws SQLException {
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("SELECT wait_event FROM pg_stat_activity WHERE query = ?")) {
            ps.setString(1, query);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void aBlackHoledDatabaseGivesClientsAnErrorInTimeAndPgmuxRecoversWhenItHeals() throws Exception {
        try (FaultyRelay relay = new FaultyRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = through(relay).set("server_connect_timeout", "2s")
                     .set("query_timeout", "2s").set("query_wait_timeout", "6s").start()) {
            Ledger ledger = Ledger.create(cluster);
            Connection warm = proxy.connect();
            assertEquals("1", Sql.one(warm, "SELECT 1"));
            relay.blackHole();
            long started = System.nanoTime();
            SQLException inFlight = assertThrows(SQLException.class, () -> Sql.one(warm, "SELECT pg_sleep(30)"));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            // 08006 when the cancel connection goes unanswered within server_connect_timeout and pgmux closes
            // the server; 57014 when the cancel seems delivered and the server stays silent another query_timeout.
            assertTrue(java.util.List.of("08006", "57014").contains(inFlight.getSQLState()), inFlight.toString());
            assertTrue(tookMillis < 20_000, "a query into the black hole took " + tookMillis + " ms: " + inFlight);
            closeQuietly(warm);
            SQLException fresh = assertThrows(SQLException.class, () -> {
                try (Connection c = proxy.connect()) {
                    Sql.one(c, "SELECT 3");
                }
            });
            assertNotNull(fresh.getSQLState(), fresh.toString());
            relay.heal();
            Invariants.check("database black-holed, then healed", proxy, cluster, ledger, noLoad());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Workload.Figures noLoad() {
        return new Workload.Figures(0, 0, 0, 0, 0, 0, java.util.List.of());
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // broken by the fault; nothing to close cleanly
        }
    }

    private static void insert(Connection c, long tx, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Ledger.TABLE + " VALUES (?, 0, ?)")) {
            for (int i = 0; i < rows; i++) {
                ps.setLong(1, tx);
                ps.setInt(2, i);
                ps.executeUpdate();
            }
        }
    }

    private static Connection connectThrough(FaultyRelay relay) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ProxyFixture.APP_USER);
        props.setProperty("password", ProxyFixture.APP_PASSWORD);
        props.setProperty("sslmode", "disable");
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection("jdbc:postgresql://" + relay.host() + ":" + relay.port() + "/"
                + ProxyFixture.APP_DB, props);
    }

    /** COPY text rows of one transaction id, produced as they are read. */
    private static InputStream rowsOf(long tx, int rows) {
        return new InputStream() {
            private int row;
            private byte[] line = new byte[0];
            private int at;

            @Override
            public int read() throws IOException {
                if (at == line.length) {
                    if (row == rows) {
                        return -1;
                    }
                    line = (tx + "\t0\t" + row++ + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    at = 0;
                }
                return line[at++];
            }
        };
    }
}
