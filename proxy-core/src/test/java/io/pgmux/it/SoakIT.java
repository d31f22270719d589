package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded soak: many clients connecting and disconnecting at a high rate, with short and long transactions,
 * rollbacks, errors, cancels, COPY, large results and session settings, plus a backend terminated every few
 * seconds. At the end the {@link Invariants} hold, and pgmux is back where it started: heap after a full
 * collection, open file descriptors of this process, and server connections. {@code -Dpgmux.soak.seconds=N}
 * sets the length (60 s by default; docs/RELIABILITY.md has the long run); tagged {@code soak} so a build can
 * leave it out ({@code -DexcludedGroups=soak}).
 */
@Tag("reliability")
@Tag("soak")
@ExtendWith(PostgresExtension.class)
@Timeout(value = 4, unit = TimeUnit.HOURS)
class SoakIT {
    private static final Logger log = LoggerFactory.getLogger(SoakIT.class);
    /** Heap the soak may leave behind beyond its baseline: pools' and caches' growth, not a leak per client. */
    private static final long HEAP_SLACK_BYTES = 48L << 20;
    /** File descriptors beyond the baseline: the JVM's own (class files, a GC log) come and go. */
    private static final int FD_SLACK = 8;

    private final PostgresCluster cluster;

    SoakIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void manyClientsComingAndGoingLeaveNothingBehind() throws Exception {
        Duration length = Duration.ofSeconds(Long.getLong("pgmux.soak.seconds", 60));
        ClusterAdmin.terminateStrayBackends(cluster, ProxyFixture.APP_USER);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(6).set("query_wait_timeout", "60s").start()) {
            Ledger ledger = Ledger.create(cluster);
            // Warm up: classes loaded, pools and buffers allocated, so the baseline is pgmux in service.
            Workload warmUp = Workload.start(proxy, ledger, 8, Workload.Mix.everything());
            Await.until(Duration.ofSeconds(120), () -> warmUp.ops() >= 300, "warm-up operations");
            warmUp.stop(Duration.ofSeconds(90));
            Invariants.awaitAtRest("warm-up", proxy, cluster);
            long heapBefore = heapAfterFullGc();
            int fdsBefore = openFileDescriptors();
            int backendsBefore = cluster.countBackends(ProxyFixture.APP_DB, ProxyFixture.APP_USER);

            Workload load = Workload.start(proxy, ledger, 16, Workload.Mix.everything().reconnecting(0.5));
            long end = System.nanoTime() + length.toNanos();
            Random random = new Random(7);
            int terminated = 0;
            long nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < end) {
                long until = Math.min(end, nextKill);
                Await.until(length.plusSeconds(5), () -> System.nanoTime() >= until, "the soak's clock");
                if (System.nanoTime() >= nextKill) {
                    terminated += terminateOne(random);
                    nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                }
            }
            Workload.Figures figures = load.stop(Duration.ofSeconds(120));
            Invariants.Report report = Invariants.check("soak of " + length.toSeconds() + " s with " + terminated
                    + " backends terminated", proxy, cluster, ledger, figures);

            long heapAfter = heapAfterFullGc();
            int fdsAfter = openFileDescriptors();
            int backendsAfter = cluster.countBackends(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
            log.info("RELIABILITY soak: {}; heap after full GC {} -> {} MB, open files {} -> {}, server connections"
                    + " {} -> {}", report, heapBefore >> 20, heapAfter >> 20, fdsBefore, fdsAfter, backendsBefore,
                    backendsAfter);
            assertTrue(figures.ops() > 0 && figures.connects() > 0, "the soak did nothing: " + figures);
            assertTrue(heapAfter <= heapBefore + HEAP_SLACK_BYTES,
                    "heap after a full GC grew from " + (heapBefore >> 20) + " to " + (heapAfter >> 20) + " MB");
            assertTrue(fdsAfter <= fdsBefore + FD_SLACK,
                    "open file descriptors grew from " + fdsBefore + " to " + fdsAfter);
            assertTrue(backendsAfter <= 6, "server connections beyond pool_size: " + backendsAfter);
        }
    }

    private int terminateOne(Random random) throws SQLException {
        List<Integer> pids = cluster.backendPids(ProxyFixture.APP_DB, ProxyFixture.APP_USER);
        return !pids.isEmpty() && cluster.terminateBackend(pids.get(random.nextInt(pids.size()))) ? 1 : 0;
    }

    /** Used heap once the collector has run to a fixed point: three full collections. */
    private static long heapAfterFullGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Entries of /proc/self/fd: every socket, file and pipe this process holds (Linux). */
    private static int openFileDescriptors() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(fds)) {
            return (int) entries.count();
        }
    }
}
