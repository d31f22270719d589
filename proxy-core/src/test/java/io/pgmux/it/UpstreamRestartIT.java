package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmux.pool.CircuitState;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PostgreSQL goes away and comes back while pgmux keeps running. A cluster of its own, so others are not disturbed. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpstreamRestartIT {
    private static final Logger log = LoggerFactory.getLogger(UpstreamRestartIT.class);
    private static final Duration QUERY_WAIT = Duration.ofSeconds(3);
    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.start(PostgresCluster.Settings.defaults().withMaxConnections(20));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void whileTheDatabaseIsDownClientsGetAClearErrorInTimeAndAfterItsRestartNewClientsWork() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(3)
                .set("query_wait_timeout", QUERY_WAIT.toSeconds() + "s").start()) {
            try (Connection c = proxy.connect()) {
                assertEquals("1", Sql.one(c, "select 1"));
            }
            cluster.stop();
            try {
                assertClearUnavailableError(proxy, "a pool that knew the database");
                try (ProxyFixture fresh = ProxyFixture.config(cluster).set("query_wait_timeout",
                        QUERY_WAIT.toSeconds() + "s").start()) {
                    assertClearUnavailableError(fresh, "a pool that never reached the database");
                }
            } finally {
                cluster.start();
            }
            int[] attempts = {0};
            long restarted = System.nanoTime();
            Await.untilChecked(Duration.ofSeconds(60), () -> {
                attempts[0]++;
                try (Connection c = proxy.connect()) {
                    return "1".equals(Sql.one(c, "select 1"));
                } catch (SQLException e) {
                    log.info("attempt {} after the restart failed: {} {}", attempts[0], e.getSQLState(), e.getMessage());
                    return false;
                }
            }, "a new client to work after the database restarted");
            log.info("pgmux served a client {} ms after the restart, on attempt {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted), attempts[0]);
            List<Throwable> failures = Sql.concurrently(10, Duration.ofSeconds(30), id -> {
                try (Connection c = proxy.connect()) {
                    for (int i = 0; i < 5; i++) {
                        assertEquals(Integer.toString(id + i), Sql.one(c, "select " + id + " + " + i));
                    }
                }
            });
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
        }
    }

    @Test
    void underLoadAStoppedDatabaseIsProbedNotHammeredAndEveryClientCarriesOnAfterItsRestart() throws Exception {
        ClusterAdmin.ensureRole(cluster, "other_role", "other_pw");
        try (TcpRelay relay = new TcpRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = ProxyFixture.config(cluster)
                     .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port()))
                     .set("server_login_retry", "200ms").set("query_wait_timeout", "60s")
                     .tenant("a", 4).tenant("b", 4)
                     .user(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "a").user("other_role", "other_pw", "b")
                     .start()) {
            int clients = 16;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong downSince = new AtomicLong(Long.MAX_VALUE);
            AtomicIntegerArray succeededAfterDown = new AtomicIntegerArray(clients);
            AtomicInteger succeeded = new AtomicInteger();
            List<String> unexpected = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                String user = i % 2 == 0 ? ProxyFixture.APP_USER : "other_role";
                String password = i % 2 == 0 ? ProxyFixture.APP_PASSWORD : "other_pw";
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try (Connection c = proxy.connect(user, password, ProxyFixture.APP_DB)) {
                            while (!stop.get()) {
                                long started = System.nanoTime();
                                assertEquals(Integer.toString(id), Sql.one(c, "select " + id));
                                succeeded.incrementAndGet();
                                if (started > downSince.get()) {
                                    succeededAfterDown.incrementAndGet(id);
                                }
                            }
                        } catch (SQLException e) {
                            // A query running when the database stopped fails with its shutdown error; any
                            // other error (a wait timeout, "too many clients") is a failure of pgmux.
                            if (e.getSQLState() == null || !(e.getSQLState().startsWith("08")
                                    || e.getSQLState().equals("57P01"))) {
                                unexpected.add(e.getSQLState() + " " + e.getMessage());
                            }
                        }
                    }
                }, "load-" + i);
                threads.add(t);
                t.start();
            }
            try {
                Await.until(Duration.ofSeconds(30), () -> succeeded.get() > 200, "the load to run");
                int before = relay.accepted();
                downSince.set(System.nanoTime());
                cluster.stop();
                long downMillis = 5000;
                Thread.sleep(downMillis); // the outage itself is what is under test
                int attempts = relay.accepted() - before;
                assertNotEquals(CircuitState.CLOSED, proxy.snapshot(ProxyFixture.APP_DB, "other_role").upstreamCircuit(),
                        "the circuit of a database that is down is open (or probing)");
                cluster.start();
                log.info("connect attempts while the database was down for {} ms: {}", downMillis, attempts);
                assertTrue(attempts <= 20, "pgmux tried to connect " + attempts + " times in " + downMillis
                        + " ms of outage");
                Await.until(Duration.ofSeconds(40), () -> {
                    for (int i = 0; i < clients; i++) {
                        if (succeededAfterDown.get(i) == 0) {
                            return false;
                        }
                    }
                    return true;
                }, "every client to get answers again after the restart");
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(30_000);
                }
            }
            assertEquals(List.of(), unexpected);
            assertEquals(CircuitState.CLOSED, proxy.appSnapshot().upstreamCircuit());
        }
    }

    /**
     * /health/ready as an operator sees it: a refused login ("too many connections for role") opens the circuit
     * while a logged-in server keeps serving, and pgmux stays ready; the database stopping takes that server too,
     * and pgmux turns not ready at once, though the upstream answered a moment before; once it is back and a probe
     * logs in, ready again.
     */
    @Test
    void readinessTurnsAwayWhenTheDatabaseStopsNotWhenOneLoginIsRefused() throws Exception {
        String role = "limited_role";
        ClusterAdmin.ensureRole(cluster, role, "limited_pw");
        alterConnectionLimit(role, 1);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).tenant("limited", 3).user(role, "limited_pw", "limited")
                .set("server_login_retry", "200ms").set("query_wait_timeout", "1s").start()) {
            try (Connection holding = proxy.connect(role, "limited_pw", ProxyFixture.APP_DB)) {
                holding.setAutoCommit(false);
                assertEquals("1", Sql.one(holding, "select 1")); // its server stays linked until the commit
                Scrape refused = awaitReadiness(proxy, role, body -> !body.contains("\"circuit\":\"closed\""),
                        "a second login to be refused and open the circuit");
                assertEquals(200, refused.status(), refused.body());
                assertTrue(refused.body().contains("\"live_servers\":1"), refused.body());
                holding.commit();
            }
            cluster.stop();
            try {
                Scrape down = awaitReadiness(proxy, role, body -> body.contains("\"live_servers\":0"),
                        "the server to die with the database");
                assertEquals(503, down.status(), down.body());
                assertTrue(down.body().startsWith("{\"status\":\"not ready\""), down.body());
            } finally {
                cluster.start();
            }
            Scrape back = awaitReadiness(proxy, role, body -> body.contains("\"circuit\":\"closed\""),
                    "a probe to log in once the database is back");
            assertEquals(200, back.status(), back.body());
        } finally {
            alterConnectionLimit(role, -1);
        }
    }

    /** Asks for a server as {@code role} (failures expected) until /health/ready's body passes {@code test}. */
    private static Scrape awaitReadiness(ProxyFixture proxy, String role, java.util.function.Predicate<String> test,
                                         String what) throws Exception {
        Scrape[] last = new Scrape[1];
        Await.untilChecked(Duration.ofSeconds(30), () -> {
            try (Connection c = proxy.connect(role, "limited_pw", ProxyFixture.APP_DB)) {
                Sql.one(c, "select 1");
            } catch (SQLException expected) {
                // refused, or the database is away: what opens the circuit here
            }
            last[0] = Scrape.get(proxy, "/health/ready");
            return test.test(last[0].body());
        }, what);
        return last[0];
    }

    private static void alterConnectionLimit(String role, int limit) throws SQLException {
        try (Connection c = cluster.superuser(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + role + " CONNECTION LIMIT " + limit);
        }
    }

    /** A new client's first query fails with SQLSTATE class 08 or 57P03, within query_wait_timeout (+ slack). */
    private static void assertClearUnavailableError(ProxyFixture proxy, String what) {
        long start = System.nanoTime();
        SQLException error = null;
        try (Connection c = proxy.connect()) {
            Sql.one(c, "select 1");
            fail(what + ": a query succeeded while the database was down");
        } catch (SQLException e) {
            error = e;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertNotNull(error);
        String state = error.getSQLState();
        assertTrue(state != null && (state.startsWith("08") || state.equals("57P03")),
                what + ": SQLSTATE " + state + ": " + error.getMessage());
        assertTrue(millis < QUERY_WAIT.toMillis() + 3000, what + ": the error took " + millis + " ms");
        log.info("{}: {} after {} ms: {}", what, state, millis, error.getMessage());
    }
}
