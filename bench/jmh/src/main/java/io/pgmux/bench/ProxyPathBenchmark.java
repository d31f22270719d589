package io.pgmux.bench;

import io.pgmux.config.PoolMode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole pgbench select-only transaction through the proxy: client framer and handler, the client connection
 * (transaction mode: borrowing the server from the pool, renaming a prepared statement, giving the server back
 * at ReadyForQuery), the server connection and its response queue, the server framer and handler, and the
 * writes both ways. Only the sockets are replaced (see {@link ProxyHarness}); the figure is the proxy's CPU cost
 * per transaction, without system calls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The path is deep: on a busy 2-core machine C2 needs several seconds before the figures settle.
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ProxyPathBenchmark {
    @Param({"SIMPLE", "EXTENDED", "PREPARED"})
    public Workload workload;

    @Param({"TRANSACTION", "SESSION"})
    public PoolMode poolMode;

    private ProxyHarness proxy;
    private byte[] request;
    private byte[] answer;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        proxy = ProxyHarness.start(poolMode);
        if (workload.prepareRequest() != null) {
            proxy.exchange(workload.prepareRequest(), workload.prepareAnswer(), "1Z");
        }
        request = workload.request();
        answer = workload.answer();
        check();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        check();
        proxy.close();
    }

    /**
     * Fails the run rather than measure anything but a forwarded transaction: each peer gets exactly its
     * messages, and the server ends up back in the pool (transaction mode) or still with the client (session).
     */
    private void check() {
        proxy.checkTransaction(request, answer);
        proxy.expectServers(poolMode == PoolMode.TRANSACTION ? "1/0" : "0/1");
    }

    /** ClientHandler.channelRead .. ServerConnection.sendFromClient, then ServerHandler.channelRead .. client write. */
    @Benchmark
    public int transaction() {
        return proxy.transaction(request, answer);
    }
}
