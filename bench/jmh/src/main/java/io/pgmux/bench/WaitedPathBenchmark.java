package io.pgmux.bench;

import io.pgmux.config.PoolMode;
import io.pgmux.testing.TestChannel;
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
 * Two pgbench select-only transactions on one server, the second client's request waiting for the first's to end:
 * the path every transaction takes when clients outnumber servers (its request kept while it waits, the pool's
 * hand-off at the first ReadyForQuery, the kept request sent at the link), beside the one {@link
 * ProxyPathBenchmark} measures. Transaction mode, a pool of one server; figures per pair of transactions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class WaitedPathBenchmark {
    @Param({"SIMPLE", "EXTENDED", "PREPARED"})
    public Workload workload;

    private ProxyHarness proxy;
    private TestChannel second;
    private byte[] request;
    private byte[] answer;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        proxy = ProxyHarness.start(PoolMode.TRANSACTION, 1);
        second = proxy.logInAnotherClient();
        if (workload.prepareRequest() != null) {
            proxy.exchange(workload.prepareRequest(), workload.prepareAnswer(), "1Z");
            proxy.exchange(second, workload.prepareRequest(), workload.prepareAnswer(), "1Z");
            // The second client prepared after the server's plan was made: its first Bind there prepares the
            // statement again (Close, Parse) before it is measured.
            proxy.exchange(second, workload.request(),
                    Wire.concat(Pgbench.closeComplete(), Pgbench.parseComplete(), workload.answer()), "2TDCZ");
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

    /** Fails the run rather than measure anything else: each peer gets its messages, and the server is back. */
    private void check() {
        proxy.checkWaitedTransactions(second, request, answer);
        proxy.expectServers("1/0");
    }

    @Benchmark
    public int waitedTransactions() {
        return proxy.waitedTransactions(second, request, answer);
    }
}
