package io.pgmux.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the benchmark threads as Netty's own threads (FastThreadLocalThread), which is what the proxy's event
 * loops are. On a plain thread Netty 4.2 recycles no ChannelOutboundBuffer entries and the allocator serves it
 * from shared magazines, so allocation and time per operation would not be the production ones. JMH creates it
 * by name when a fork runs with {@link #JMH_EXECUTOR} and {@link #JMH_EXECUTOR_CLASS}.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {
    public static final String JMH_EXECUTOR = "-Djmh.executor=CUSTOM";
    public static final String JMH_EXECUTOR_CLASS = "-Djmh.executor.class=io.pgmux.bench.EventLoopThreads";

    /** The constructor JMH looks up for a custom executor. */
    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }

    /** Fails a setup that is not on such a thread (the fork's JVM options were replaced on the command line). */
    public static void check() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("not on a Netty thread: keep " + JMH_EXECUTOR + " " + JMH_EXECUTOR_CLASS
                    + " in the fork's JVM options");
        }
    }
}
