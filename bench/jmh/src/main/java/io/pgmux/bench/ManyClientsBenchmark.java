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
 * pgbench select-only transactions of {@code clients} clients taking turns on a pool of one server, every client
 * but the one served waiting with its request kept: the waited path of {@link WaitedPathBenchmark}, with each
 * transaction touching a different client's objects than the last, as at pgbench's 200 or 1000 clients. Read
 * beside a run with {@code clients=2}: what the figure gains as the clients grow is the price of those objects
 * having left the CPU's caches since the client's previous turn. Figures per transaction.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ManyClientsBenchmark {
    @Param({"SIMPLE", "EXTENDED"})
    public Workload workload;

    @Param({"2", "200", "1000", "4000"})
    public int clients;

    private ProxyHarness proxy;
    private TestChannel[] turns;
    private byte[] request;
    private byte[] answer;
    /** The client the server is lent to: its request reached the server, whose answer is next. */
    private int served;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        proxy = ProxyHarness.start(PoolMode.TRANSACTION, 1);
        request = workload.request();
        answer = workload.answer();
        turns = new TestChannel[clients];
        turns[0] = proxy.firstClient();
        for (int i = 1; i < clients; i++) {
            turns[i] = proxy.logInAnotherClient();
        }
        for (TestChannel each : turns) {
            proxy.send(each, request);
        }
        proxy.expectServers("0/1");
        proxy.takeFromServer(Wire.tags(request));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        proxy.expectServers("0/1");
        proxy.close();
    }

    /**
     * The server answers the client it serves, which gets the answer; the server goes to the next client in line,
     * whose kept request it receives; the served client sends its next request and waits at the end of the line.
     */
    @Benchmark
    public int transaction() {
        TestChannel done = turns[served];
        int bytes = proxy.answerAndRequeue(done, answer, request);
        served = served + 1 == clients ? 0 : served + 1;
        return bytes;
    }
}
