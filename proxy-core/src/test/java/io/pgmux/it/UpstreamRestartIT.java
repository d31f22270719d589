package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
