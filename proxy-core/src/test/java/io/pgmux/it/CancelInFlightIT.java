package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CancelRequest pgmux forwards reaches the backend some time after it was sent. If the query it was meant for
 * has ended by then and the server already runs another client's query, that query is cancelled instead. So a
 * server with a cancel in flight serves nobody else until PostgreSQL has answered the cancel connection (by
 * closing it, after signalling the backend).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CancelInFlightIT {
    private final PostgresCluster cluster;

    CancelInFlightIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture proxyThrough(CancelHoldingRelay relay, String connectTimeout) {
        return ProxyFixture.config(cluster).poolSize(1)
                .databaseSetting(ProxyFixture.APP_DB, "port", Integer.toString(relay.port()))
                .set("server_connect_timeout", connectTimeout)
                .start();
    }

    @Test
    void aServerWithACancelInFlightWaitsForItsAnswerBeforeServingTheNextClient() throws Exception {
        try (CancelHoldingRelay relay = new CancelHoldingRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = proxyThrough(relay, "10s");
             ProxyFixture.StartupResultAndClient a = proxy.rawLoginWithResult(null);
             RawPgClient b = proxy.rawLogin()) {
            a.client().query("select pg_sleep(0.3) /* it-inflight-a */");
            ClusterAdmin.awaitRunning(cluster, "it-inflight-a");
            RawPgClient.cancel(proxy.host(), proxy.port(), a.startup().pid(), a.startup().secret());
            Await.until(Duration.ofSeconds(5), () -> relay.held() == 1, "pgmux to send the cancel");
            // The cancel is held back: the query ends normally, and the server could go to the next client.
            assertEquals("TDCZ", Raw.types(a.client().readUntilReady()));
            b.query("select 'b', pg_sleep(0.3) /* it-inflight-b */");
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversBeingCanceled() == 1
                    && proxy.appSnapshot().clientsWaiting() == 1, "b to wait for the server being canceled");
            relay.deliverCancels();
            List<BackendMessage> reply = b.readUntilReady();
            assertEquals("TDCZ", Raw.types(reply), "the cancel meant for a hit b: " + reply);
            assertEquals("b", reply.get(1).dataRowText().get(0));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversBeingCanceled() == 0
                    && proxy.appSnapshot().serversIdle() == 1, "the server back in the pool");
        }
    }

    @Test
    void aCancelPostgresNeverAnswersClosesTheServerInsteadOfReusingIt() throws Exception {
        try (CancelHoldingRelay relay = new CancelHoldingRelay(cluster.host(), cluster.port());
             ProxyFixture proxy = proxyThrough(relay, "1s");
             ProxyFixture.StartupResultAndClient a = proxy.rawLoginWithResult(null);
             RawPgClient b = proxy.rawLogin()) {
            int before = Raw.pid(a.client());
            a.client().query("select pg_sleep(0.3) /* it-inflight-lost */");
            ClusterAdmin.awaitRunning(cluster, "it-inflight-lost");
            RawPgClient.cancel(proxy.host(), proxy.port(), a.startup().pid(), a.startup().secret());
            Await.until(Duration.ofSeconds(5), () -> relay.held() == 1, "pgmux to send the cancel");
            assertEquals("TDCZ", Raw.types(a.client().readUntilReady()));
            // Unanswered within server_connect_timeout: the signal may still come, so that backend is done.
            int after = Raw.pid(b);
            assertNotEquals(before, after, "b got the backend a cancel may still reach");
            try (Connection su = cluster.superuser()) {
                Await.untilChecked(Duration.ofSeconds(10), () -> "0".equals(Sql.one(su,
                        "select count(*) from pg_stat_activity where pid = " + before)), "the old backend to exit");
            }
        }
    }

    @Test
    void cancelsRacingTheEndOfTheirQueryNeverHitTheNextClient() throws Exception {
        Random random = new Random(42);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             ProxyFixture.StartupResultAndClient a = proxy.rawLoginWithResult(null);
             RawPgClient b = proxy.rawLogin()) {
            StartupResult key = a.startup();
            List<String> hits = new ArrayList<>();
            for (int round = 0; round < 30; round++) {
                a.client().query("select pg_sleep(0.02)");
                b.query("select 'b', pg_sleep(0.05)"); // waits for the only server, held by a
                long delayMicros = 5_000 + random.nextInt(25_000);
                CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                    sleepMicros(delayMicros);
                    RawPgClient.cancel(proxy.host(), proxy.port(), key.pid(), key.secret());
                });
                List<BackendMessage> mine = a.client().readUntilReady();
                // Cancelled before the row, after it (PostgreSQL checks for a cancel again before the command
                // completes), or not at all.
                assertTrue(List.of("TDCZ", "EZ", "TEZ", "TDEZ").contains(Raw.types(mine)), mine::toString);
                List<BackendMessage> other = b.readUntilReady();
                if (!Raw.types(other).equals("TDCZ")) {
                    hits.add("round " + round + " (cancel after " + delayMicros + " us): " + other);
                }
                cancel.get(10, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), hits, "a's cancels hit b's queries");
        }
    }

    /** Spaces the cancel out from the query it races; a timing input of the test, not a wait for a condition. */
    private static void sleepMicros(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
