package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.LogCapture;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Closing pgmux closes every client and every server connection it holds; a shutdown ends with one line saying
 * how pgmux stopped, as PostgreSQL's log ends with "database system is shut down".
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShutdownIT {
    private final PostgresCluster cluster;

    ShutdownIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void closingPgmuxClosesEveryClientAndServerConnection() throws Exception {
        try {
            // Several rounds: the connections are left open in most rounds, not all.
            for (int round = 0; round < 5; round++) {
                // Use PgmuxServer directly: ProxyFixture.close() would clean up the strays this test looks for.
                ProxyFixture proxy = ProxyFixture.start(ProxyFixture.config(cluster).poolSize(2).yaml());
                RawPgClient idle = proxy.rawLogin();
                RawPgClient inTransaction = proxy.rawLogin();
                try (RawPgClient leaver = proxy.rawLogin()) {
                    assertEquals('T', Raw.command(inTransaction, "begin"));
                    Raw.pid(inTransaction);
                    assertEquals('T', Raw.command(leaver, "begin"));
                    Raw.pid(leaver);
                } // leaves mid-transaction just before pgmux closes: its server is being rolled back
                proxy.server().close();
                try (RawPgClient a = idle; RawPgClient b = inTransaction) {
                    assertTrue(a.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": an idle client "
                            + "is still connected to the closed pgmux");
                    assertTrue(b.isClosedByPeer(Duration.ofSeconds(3)), "round " + round + ": a client in a "
                            + "transaction is still connected to the closed pgmux");
                }
                int r = round;
                Await.untilChecked(Duration.ofSeconds(5), () -> cluster.countBackends("app", "app_user") == 0,
                        "round " + r + ": the closed pgmux's server connections to end");
            }
        } finally {
            ClusterAdmin.terminateStrayBackends(cluster, "app_user");
        }
    }

    @Test
    void aFastShutdownEndsTheLogWithStoppedAndHowLongItTook() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            try (RawPgClient client = proxy.rawLogin()) {
                proxy.server().shutdownNow().get(30, TimeUnit.SECONDS);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(3)));
            }
            assertLastLineIsStopped(logs, "fast");
        }
    }

    @Test
    void aSmartShutdownEndsTheLogWithStoppedOnceTheClientsHaveGone() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start()) {
            try (RawPgClient client = proxy.rawLogin()) {
                assertEquals("1", Raw.queryOne(client, "select 1"));
                proxy.server().shutdown(Duration.ofSeconds(20), false).get(30, TimeUnit.SECONDS);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(3)));
            }
            assertLastLineIsStopped(logs, "smart");
        }
    }

    /** A fast shutdown during a smart one: the line says fast, timed from the first request. */
    @Test
    void aFastShutdownDuringASmartOneIsLoggedAsFast() throws Exception {
        try (LogCapture logs = LogCapture.start(); ProxyFixture proxy = ProxyFixture.config(cluster).start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals('T', Raw.command(client, "begin"));
            var smart = proxy.server().shutdown(Duration.ofSeconds(60), false);
            Await.until(Duration.ofSeconds(5), () -> !logs.linesWith("shutting down: no new clients").isEmpty(),
                    "the smart shutdown to begin");
            proxy.server().shutdownNow().get(30, TimeUnit.SECONDS);
            assertTrue(smart.isDone(), "one stage for both requests");
            assertLastLineIsStopped(logs, "fast");
        }
    }

    private static void assertLastLineIsStopped(LogCapture logs, String kind) {
        List<String> stopped = logs.linesWith("pgmux stopped");
        assertEquals(1, stopped.size(), stopped.toString());
        assertTrue(stopped.get(0).matches(".* INFO .*pgmux stopped \\(" + kind + " shutdown in \\d+ ms\\)"),
                stopped.get(0));
        List<String> all = logs.linesWith("");
        assertEquals(stopped.get(0), all.get(all.size() - 1), "the last line logged");
    }
}
