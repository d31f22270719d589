package io.pgmux.bench;

import io.pgmux.stats.PoolStats;
import io.pgmux.stats.StatsRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording one query's statistics costs when every event loop records into the same pool (2 threads, as
 * 2 event loops): the statistics model's per-thread blocks against LongAdders (Micrometer's counters) and an
 * AtomicLongArray of buckets (Micrometer's fixed-boundary histogram). Each records a query count, its time, its
 * histogram bucket and the bytes both ways. JMH's worker threads are made FastThreadLocalThreads, as Netty's
 * event loops are, so the slot lookup is the one pgmux pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(2)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class StatsRecordingBenchmark {
    private final PoolStats stats = new StatsRegistry().pool("app", "api", "web");
    private final LongAdder count = new LongAdder();
    private final LongAdder time = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final AtomicLongArray buckets = new AtomicLongArray(18);

    @Benchmark
    public void perThreadBlocks() {
        stats.recordQuery(420);
        stats.addBytes(60, 300);
    }

    @Benchmark
    public void longAdders() {
        count.increment();
        time.add(420);
        buckets.incrementAndGet(2);
        received.add(60);
        sent.add(300);
    }
}
