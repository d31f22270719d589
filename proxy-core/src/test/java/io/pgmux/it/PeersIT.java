package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.config.ConfigLoader;
import io.pgmux.runtime.PgmuxServer;
import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.FreePort;
import io.pgmux.testing.LogCapture;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pgmux processes (in process here) on one port with listen.so_reuseport, each with its peer_id and its own
 * peer address, as in a rolling restart: a cancel request reaches its query whichever process receives it, a
 * forwarding loop between misconfigured peers ends, and while one process drains the other takes every new
 * connection and still forwards cancels to the clients that drain.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeersIT {
    private static final String HOST = "127.0.0.1";
    private final PostgresCluster cluster = PostgresCluster.shared();
    private final List<PgmuxServer> started = new ArrayList<>();

    @AfterEach
    void stop() throws SQLException {
        started.forEach(PgmuxServer::close);
        cluster.terminateBackends(null, ProxyFixture.APP_USER);
    }

    /** A pgmux with {@code peerId} on the shared {@code port}; {@code peers} is the YAML of the peers mapping. */
    private PgmuxServer peer(int peerId, int port, String peers) throws InterruptedException {
        String yaml = ProxyFixture.config(cluster).poolSize(2)
                .set("listen", "{host: " + HOST + ", port: " + port + ", so_reuseport: true}")
                .set("metrics", "{enabled: false}")
                .set("peer_id", Integer.toString(peerId))
                .set("peers", peers)
                .set("shutdown_timeout", "20s")
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}")
                .yaml();
        PgmuxServer server = new PgmuxServer(ConfigLoader.parse(yaml, "peer" + peerId + ".yaml", Map.of()));
        started.add(server);
        server.start();
        return server;
    }

    private static String peers(int port1, int port2) {
        return "{1: {host: " + HOST + ", port: " + port1 + "}, 2: {host: " + HOST + ", port: " + port2 + "}}";
    }

    private static RawPgClient login(int port) {
        return RawPgClient.connect(HOST, port);
    }

    private static StartupResult loginAsApp(RawPgClient client) {
        return client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
    }

    @Test
    void theConsoleListsThePeerGroup() throws Exception {
        int shared = FreePort.find();
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        peer(1, shared, peers(own1, own2));
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", ProxyFixture.APP_USER);
        props.setProperty("password", ProxyFixture.APP_PASSWORD);
        props.setProperty("preferQueryMode", "simple");
        List<String> rows = new ArrayList<>();
        try (java.sql.Connection console = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://" + HOST + ":" + own1 + "/pgmux", props);
             java.sql.Statement s = console.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("SHOW PEERS")) {
                while (rs.next()) {
                    rows.add(rs.getInt("peer_id") + " " + rs.getString("host") + ":" + rs.getInt("port") + " "
                            + rs.getInt("pool_size"));
                }
            }
            assertEquals(List.of("1 " + HOST + ":" + own1 + " 0", "2 " + HOST + ":" + own2 + " 0"), rows);
            try (java.sql.ResultSet rs = s.executeQuery("SHOW LISTS")) {
                String peers = null;
                while (rs.next()) {
                    if (rs.getString(1).equals("peers")) {
                        peers = rs.getString(2);
                    }
                }
                assertEquals("2", peers);
            }
        }
    }

    @Test
    void aCancelReachesItsQueryWhicheverProcessReceivesIt() throws Exception {
        int shared = FreePort.find();
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        PgmuxServer one = peer(1, shared, peers(own1, own2));
        PgmuxServer two = peer(2, shared, peers(own1, own2));

        // The kernel spreads the shared port's connections over both processes.
        List<RawPgClient> spread = new ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                RawPgClient client = login(shared);
                spread.add(client);
                loginAsApp(client);
            }
            assertTrue(one.services().clientCount() > 0 && two.services().clientCount() > 0,
                    "both processes take clients: " + one.services().clientCount() + " and "
                            + two.services().clientCount());
        } finally {
            spread.forEach(RawPgClient::close);
        }

        try (RawPgClient client = login(own1)) {
            StartupResult key = loginAsApp(client);
            assertEquals(1, key.pid() >>> 17, "process 1's peer id is in its key");
            // Sent to the other process's own address: forwarded to process 1.
            expectCancelled(client, "peer-forwarded", () -> RawPgClient.cancel(HOST, own2, key.pid(), key.secret()));
            // Sent to the shared port, several times: whichever process gets it, the query is cancelled.
            for (int i = 0; i < 6; i++) {
                expectCancelled(client, "peer-shared-" + i,
                        () -> RawPgClient.cancel(HOST, shared, key.pid(), key.secret()));
            }
            // A wrong secret cancels nothing, forwarded or not.
            client.query("select pg_sleep(1) /* peer-wrong */");
            ClusterAdmin.awaitRunning(cluster, "peer-wrong");
            RawPgClient.cancel(HOST, own2, key.pid(), key.secret() ^ 1);
            assertEquals("TDCZ", Raw.types(client.readUntilReady()));
            assertEquals("ok", Raw.queryOne(client, "select 'ok'"));
        }
    }

    @Test
    void aForwardingLoopBetweenMisconfiguredPeersEnds() throws Exception {
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        // Each believes peer 3 is the other: a request for peer 3 would go back and forth for ever.
        peer(1, FreePort.find(), "{1: {host: " + HOST + ", port: " + own1 + "}, 3: {host: " + HOST + ", port: "
                + own2 + "}}");
        peer(2, FreePort.find(), "{2: {host: " + HOST + ", port: " + own2 + "}, 3: {host: " + HOST + ", port: "
                + own1 + "}}");
        int processIdOfPeer3 = 3 << 17 | 12345;
        try (LogCapture log = LogCapture.start()) {
            // Answered (closed) within RawPgClient's read timeout, never left hanging.
            RawPgClient.cancel(HOST, own1, processIdOfPeer3, 0xC000_0000 | 777);
            Await.until(Duration.ofSeconds(10), () -> !log.linesWith("was forwarded 3 times and is dropped").isEmpty(),
                    "the loop to be noticed");
        }
    }

    @Test
    void whileOneDrainsTheOtherTakesNewClientsAndForwardsCancelsToTheDrainingOnes() throws Exception {
        int shared = FreePort.find();
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        PgmuxServer old = peer(1, shared, peers(own1, own2));
        PgmuxServer successor = peer(2, shared, peers(own1, own2));
        try (RawPgClient draining = login(own1)) {
            StartupResult key = loginAsApp(draining);
            assertEquals('T', Raw.command(draining, "begin"));
            var stopped = old.shutdown(Duration.ofSeconds(20), false);

            // New connections to the shared port all reach the successor.
            int before = successor.services().clientCount();
            List<RawPgClient> fresh = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    RawPgClient client = login(shared);
                    fresh.add(client);
                    loginAsApp(client);
                    assertEquals("1", Raw.queryOne(client, "select 1"));
                }
                assertEquals(before + 12, successor.services().clientCount());
            } finally {
                fresh.forEach(RawPgClient::close);
            }
            // The draining process's own address answers a login as PostgreSQL does while shutting down.
            try (RawPgClient late = login(own1)) {
                RawPgClient.ServerError refused = assertThrows(RawPgClient.ServerError.class, () -> loginAsApp(late));
                assertEquals("57P03", refused.sqlState(), refused.getMessage());
            }

            // The client in its transaction goes on; a cancel sent through the successor reaches its query.
            expectCancelled(draining, "peer-draining",
                    () -> RawPgClient.cancel(HOST, shared, key.pid(), key.secret()));
            assertEquals('I', Raw.command(draining, "rollback"));
            // Between transactions now: closed with 57P01, and the old process stops.
            Raw.expectFatal(draining, "57P01");
            stopped.get(30, TimeUnit.SECONDS);
        }
        try (RawPgClient after = login(shared)) {
            loginAsApp(after);
            assertEquals("1", Raw.queryOne(after, "select 1"));
        }
    }

    /** Whether Linux hands the accept queue of a closing SO_REUSEPORT listener to the others (5.14+, a sysctl). */
    private static boolean kernelMigratesAcceptQueues() throws java.io.IOException {
        Path setting = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        return Files.isReadable(setting) && Files.readString(setting).trim().equals("1");
    }

    /**
     * PgBouncer's rolling restart: with pgbench connecting anew for each transaction (-C) on the shared port, a
     * second process starts beside the first, the first drains (SHUTDOWN WAIT_FOR_CLIENTS) and stops, and pgbench
     * counts no failed transaction and aborts no client (but for the kernel's reset of a connection not yet
     * accepted, where Linux does not migrate accept queues).
     */
    @Test
    void aRollingRestartUnderPgbenchFailsNoTransaction(@TempDir Path dir) throws Exception {
        Path pgbench = Path.of(cluster.binDir(), "pgbench");
        try (Connection direct = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER,
                ProxyFixture.APP_PASSWORD); Statement st = direct.createStatement()) {
            st.execute("drop table if exists rolling");
            st.execute("create table rolling (id bigserial primary key, at timestamptz default now())");
        }
        Path script = dir.resolve("rolling.sql");
        Files.writeString(script, "begin;\ninsert into rolling default values;\nselect pg_sleep(0.002);\ncommit;\n");
        int shared = FreePort.find();
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        PgmuxServer old = peer(1, shared, peers(own1, own2));
        ProcessBuilder builder = new ProcessBuilder(pgbench.toString(), "-n", "-C", "-c", "8", "-j", "2", "-T", "20",
                "-f", script.toString(), "-h", HOST, "-p", Integer.toString(shared), "-U", ProxyFixture.APP_USER,
                ProxyFixture.APP_DB).redirectErrorStream(true).redirectOutput(dir.resolve("pgbench.out").toFile());
        builder.environment().put("PGPASSWORD", ProxyFixture.APP_PASSWORD);
        builder.environment().put("PGSSLMODE", "disable");
        Process run = builder.start();
        try {
            Await.untilChecked(Duration.ofSeconds(30), () -> rows() > 20, "pgbench to run through the first");
            PgmuxServer successor = peer(2, shared, peers(own1, own2));
            long before = rows();
            Await.untilChecked(Duration.ofSeconds(30), () -> rows() > before + 20
                    && successor.services().clientCount() > 0, "both to serve pgbench");
            // SHUTDOWN WAIT_FOR_CLIENTS, PgBouncer's way for a rolling restart: pgbench's clients leave by
            // themselves after each transaction, and those the old process accepted before it stopped listening
            // are served.
            old.shutdown(Duration.ofSeconds(10), true).get(20, TimeUnit.SECONDS);
            long stopped = rows();
            Await.untilChecked(Duration.ofSeconds(30), () -> rows() > stopped + 20 || !run.isAlive(),
                    "pgbench to go on through the successor alone");
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "pgbench finished");
            String output = Files.readString(dir.resolve("pgbench.out"));
            assertTrue(output.contains("number of failed transactions: 0 "), output);
            if (kernelMigratesAcceptQueues()) {
                assertEquals(0, run.exitValue(), output);
            } else {
                // The kernel's race (README, "rolling restart"): a connection still in the old listener's accept
                // queue when it closes is reset. pgbench aborts such a client before it logs in, so no transaction
                // of it was under way; any other abort, or a login pgmux refused, is pgmux's.
                assertTrue(run.exitValue() == 0 || output.lines().filter(line -> line.contains("aborted"))
                        .allMatch(line -> line.contains("aborted while establishing connection"))
                        && output.lines().filter(line -> line.contains("connection to server"))
                        .allMatch(line -> line.endsWith("Connection reset by peer")), output);
            }
            assertTrue(rows() > stopped + 20, "transactions after the first stopped:\n" + output);
        } finally {
            run.destroyForcibly();
        }
    }

    /**
     * A connection the old process accepted before its so_reuseport listener closed, still logging in when
     * SHUTDOWN WAIT_FOR_CLIENTS finds no logged-in client left: it logs in and is served, and the drain ends once it
     * leaves, rather than dropping it in the middle of its login (pgbench -C in a rolling restart saw "server closed
     * the connection unexpectedly" while establishing).
     */
    @Test
    void aClientStillLoggingInAtWaitForClientsIsServedBeforeTheDrainEnds() throws Exception {
        int shared = FreePort.find();
        int own1 = FreePort.find();
        int own2 = FreePort.find();
        PgmuxServer old = peer(1, shared, peers(own1, own2));
        try (RawPgClient late = login(shared)) {
            Await.until(Duration.ofSeconds(10), () -> old.services().loginClientCount() == 1,
                    "the connection to be accepted");
            CompletableFuture<Void> stopped = old.shutdown(Duration.ofSeconds(10), true);
            // The drain looks every 50 ms: several looks find no logged-in client while this one has yet to log in.
            assertThrows(TimeoutException.class, () -> stopped.get(300, TimeUnit.MILLISECONDS));
            loginAsApp(late);
            assertEquals("1", Raw.queryOne(late, "select 1"));
            late.terminate();
            stopped.get(20, TimeUnit.SECONDS);
        }
    }

    private long rows() throws SQLException {
        try (Connection direct = cluster.connect(ProxyFixture.APP_DB, ProxyFixture.APP_USER,
                ProxyFixture.APP_PASSWORD); Statement st = direct.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from rolling")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs a long sleep marked {@code marker}, has {@code cancel} sent, and expects 57014 and a usable session. */
    private void expectCancelled(RawPgClient client, String marker, Runnable cancel) throws SQLException {
        client.query("select pg_sleep(30) /* " + marker + " */");
        ClusterAdmin.awaitRunning(cluster, marker);
        cancel.run();
        BackendMessage message = client.read();
        if (message.type() == 'T') {
            message = client.read();
        }
        assertEquals('E', message.type(), message::toString);
        assertEquals("57014", message.errorField('C'));
        client.expect('Z');
    }

}
