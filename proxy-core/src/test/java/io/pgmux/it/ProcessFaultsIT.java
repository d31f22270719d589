package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database's processes fail under load: a crash-like stop and restart, backends terminated at random, the
 * postmaster and a backend frozen (SIGSTOP) and thawed. A cluster of its own, with synchronous_commit on so that
 * an acknowledged commit survives the crash; after each fault the {@link Invariants} must hold.
 */
@Tag("reliability")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProcessFaultsIT {
    @RegisterExtension
    static final PostgresExtension PG = PostgresExtension.withSettings(PostgresCluster.Settings.defaults()
            .withMaxConnections(40).with("synchronous_commit", "on"));
    private static final Duration RUN = Duration.ofSeconds(90);

    private final PostgresCluster cluster;

    ProcessFaultsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void noStrayBackends() throws SQLException {
        ClusterAdmin.terminateStrayBackends(cluster, ProxyFixture.APP_USER);
    }

    private static void progress(Workload load, long more, String what) {
        long target = load.ops() + more;
        Await.until(RUN, () -> load.ops() >= target, what + ": " + more + " more operations");
    }

    @Test
    void anImmediateStopAndARestartUnderLoadLoseNoAcknowledgedCommit() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(4).set("server_connect_timeout", "3s")
                .set("query_wait_timeout", "30s").start()) {
            Ledger ledger = Ledger.create(cluster);
            Workload load = Workload.start(proxy, ledger, 10, Workload.Mix.everything());
            progress(load, 150, "before the stop");
            cluster.stopImmediately();
            try {
                Await.until(RUN, () -> load.figures().broken() > 0, "clients noticing the database is gone");
            } finally {
                cluster.start();
            }
            progress(load, 150, "after the restart");
            Workload.Figures figures = load.stop(RUN);
            Invariants.check("PostgreSQL stopped -m immediate and restarted under load", proxy, cluster, ledger,
                    figures);
        }
    }

    @Test
    void backendsTerminatedAtRandomUnderLoadAffectOnlyTheirClients() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(4).start()) {
            Ledger ledger = Ledger.create(cluster);
            Workload load = Workload.start(proxy, ledger, 10, Workload.Mix.everything());
            Random random = new Random(42);
            int terminated = 0;
            progress(load, 100, "before the first termination");
            for (int round = 0; round < 8; round++) {
                List<Integer> pids = cluster.backendPids(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
                if (!pids.isEmpty() && cluster.terminateBackend(pids.get(random.nextInt(pids.size())))) {
                    terminated++;
                }
                progress(load, 40, "after termination " + (round + 1));
            }
            Workload.Figures figures = load.stop(RUN);
            assertTrue(terminated > 0, "no backend was terminated");
            Invariants.check(terminated + " backends terminated with pg_terminate_backend under load", proxy,
                    cluster, ledger, figures);
        }
    }

    @Test
    void aFrozenPostmasterStopsOnlyNewServerConnections() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(4).set("server_connect_timeout", "3s")
                .set("query_wait_timeout", "30s").start();
             Connection su = cluster.superuser()) {
            Ledger ledger = Ledger.create(cluster);
            // No cancels: the postmaster forwards them, and a server whose cancel gets no answer within
            // server_connect_timeout is closed, so each would cost a server that cannot be replaced until the thaw.
            Workload load = Workload.start(proxy, ledger, 8,
                    Workload.Mix.everything().without(Workload.Op.CANCEL).reconnecting(0.3));
            progress(load, 100, "before the freeze");
            long postmaster = cluster.postmasterPid();
            List<Integer> pids = cluster.backendPids(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
            cluster.signal(postmaster, "STOP");
            try {
                // A server lost while the postmaster is frozen cannot be replaced until it thaws.
                Sql.exec(su, "SELECT pg_terminate_backend(" + pids.get(0) + ")");
                progress(load, 100, "on the servers still connected while the postmaster is frozen");
            } finally {
                cluster.signal(postmaster, "CONT");
            }
            progress(load, 100, "after the thaw");
            Workload.Figures figures = load.stop(RUN);
            Invariants.check("postmaster frozen (SIGSTOP) under load, then thawed", proxy, cluster, ledger,
                    figures);
        }
    }

    @Test
    void aFrozenBackendCostsItsClientAnErrorAfterTwiceTheQueryTimeoutAndNothingMore() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).set("query_timeout", "2s").start()) {
            Ledger ledger = Ledger.create(cluster);
            Connection frozen = proxy.connect();
            assertEquals("1", Sql.one(frozen, "SELECT 1"));
            int pid = Integer.parseInt(Sql.one(frozen, "SELECT pg_backend_pid()"));
            cluster.signal(pid, "STOP");
            try {
                long started = System.nanoTime();
                SQLException error = assertThrows(SQLException.class, () -> Sql.one(frozen, "SELECT 2"));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertEquals("57014", error.getSQLState(), error.toString());
                assertTrue(tookMillis < 20_000, "the frozen backend's client waited " + tookMillis + " ms");
                try (Connection other = proxy.connect()) {
                    assertEquals("ok", Sql.one(other, "SELECT 'ok'"), "another client is served meanwhile");
                }
            } finally {
                cluster.signal(pid, "CONT");
            }
            try {
                frozen.close();
            } catch (SQLException broken) {
                // closed by pgmux
            }
            assertFalse(cluster.backendPids(null, null).isEmpty());
            Invariants.check("a backend frozen (SIGSTOP) mid-query, then thawed", proxy, cluster, ledger,
                    new Workload.Figures(0, 0, 0, 0, 0, 0, List.of()));
        }
    }
}
