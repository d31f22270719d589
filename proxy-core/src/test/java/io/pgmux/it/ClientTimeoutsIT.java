package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** query_timeout, idle_transaction_timeout and client_idle_timeout: each fires, and none fires early. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientTimeoutsIT {
    private final PostgresCluster cluster;

    ClientTimeoutsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void queryTimeoutCancelsALongQueryButNotAShortOne() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("query_timeout", "1s").start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("", Raw.queryOne(client, "select pg_sleep(0.4)::text"), "a short query runs to the end");
            long start = System.nanoTime();
            client.query("select pg_sleep(20)");
            List<BackendMessage> reply = client.readUntilReady();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            BackendMessage error = reply.stream().filter(m -> m.type() == 'E').findFirst().orElseThrow();
            assertEquals("57014", error.errorField('C'), reply::toString);
            assertTrue(tookMs >= 1000 && tookMs < 5000, "cancelled after " + tookMs + " ms");
            // PostgreSQL's text says "due to user request" for any cancel: a notice ahead of it says it was pgmux's.
            BackendMessage notice = reply.stream().filter(m -> m.type() == 'N').findFirst().orElseThrow();
            assertEquals("pgmux: cancelling the query: it ran longer than query_timeout (1000 ms)",
                    notice.errorField('M'));
            assertTrue(reply.indexOf(notice) < reply.indexOf(error), reply::toString);
            assertEquals("1", Raw.queryOne(client, "select 1"), "the connection still works");
        }
    }

    /** Each query's time starts when the client sends it, not when it sent its first one. */
    @Test
    void queryTimeoutCountsFromEachQuerysOwnStart() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("query_timeout", "1s").start();
             RawPgClient client = proxy.rawLogin()) {
            for (int i = 0; i < 4; i++) {
                assertEquals("", Raw.queryOne(client, "select pg_sleep(0.6)::text"), "query " + i + " of 0.6 s");
            }
        }
    }

    /**
     * The statistics' query times come from the same clock reading: each query's own, also inside a transaction
     * block, where the queries reach the server the client already holds.
     */
    @Test
    void queryTimesInTheStatisticsAreEachQuerysOwn() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).start();
             RawPgClient client = proxy.rawLogin()) {
            Raw.command(client, "begin");
            assertEquals("", Raw.queryOne(client, "select pg_sleep(0.5)::text"));
            for (int i = 0; i < 20; i++) {
                assertEquals("1", Raw.queryOne(client, "select 1"));
            }
            Raw.command(client, "commit");
            io.pgmux.stats.PoolTotals totals = proxy.pool(ProxyFixture.APP_DB, ProxyFixture.APP_USER).stats().totals();
            assertEquals(23, totals.get(io.pgmux.stats.PoolCounter.QUERY_COUNT));
            long micros = totals.get(io.pgmux.stats.PoolCounter.QUERY_TIME_US);
            assertTrue(micros >= 500_000 && micros < 2_500_000, "23 queries took " + micros + " µs, one of 0.5 s");
        }
    }

    @Test
    void idleTransactionTimeoutClosesAClientIdleInATransactionOnly() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("idle_transaction_timeout", "1s").start();
             RawPgClient quick = proxy.rawLogin();
             RawPgClient slow = proxy.rawLogin()) {
            for (int i = 0; i < 4; i++) {
                Raw.command(quick, "begin");
                Raw.queryOne(quick, "select pg_sleep(0.3)::text");
                Raw.command(quick, "commit");
            }
            Raw.command(slow, "begin");
            long start = System.nanoTime();
            assertTrue(slow.isClosedByPeer(Duration.ofSeconds(5)), "idle in transaction past the timeout");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(closedAfter >= 900, "closed after " + closedAfter + " ms, before idle_transaction_timeout");
            assertEquals("1", Raw.queryOne(quick, "select 1"));
            io.pgmux.testing.Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "the abandoned transaction's server was cleaned and returned");
        }
    }

    @Test
    void clientIdleTimeoutClosesIdleClientsButNotBusyOnes() {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("client_idle_timeout", "2s").start();
             RawPgClient busy = proxy.rawLogin();
             RawPgClient idle = proxy.rawLogin()) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1500)) {
                assertEquals("1", Raw.queryOne(busy, "select 1 from pg_sleep(0.25)"));
            }
            assertFalse(idle.isClosedByPeer(Duration.ofMillis(50)), "the idle client was closed before its time");
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3500)) {
                assertEquals("1", Raw.queryOne(busy, "select 1 from pg_sleep(0.25)"));
            }
            assertTrue(idle.isClosedByPeer(Duration.ofSeconds(3)), "the idle client was closed");
            assertFalse(busy.isClosedByPeer(Duration.ofMillis(100)), "the busy client was not");
        }
    }
}
