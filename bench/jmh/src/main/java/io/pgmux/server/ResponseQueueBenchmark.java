package io.pgmux.server;

import io.pgmux.bench.EventLoopThreads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The response queue's share of one transaction: the entries RequestWriter pushes for the client's messages,
 * then the looks at the head and pops ResponseRouter makes as the answers come back, up to ReadyForQuery. The
 * answer loop below follows ResponseRouter.passes and readyForQuery; everything else they do (forwarding, status
 * decoding) is left out so that the queue alone is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ResponseQueueBenchmark {
    /** Answers of -M simple: RowDescription, DataRow, CommandComplete (terminal types marked true), then Z. */
    private static final boolean[] SIMPLE_ANSWER_TERMINAL = {true, false, true};
    /** Answers of -M extended: ParseComplete, BindComplete, RowDescription, DataRow, CommandComplete, then Z. */
    private static final boolean[] EXTENDED_ANSWER_TERMINAL = {true, true, true, false, true};

    private final ResponseQueue queue = new ResponseQueue();

    /** pgbench -M simple: one Query. */
    @Benchmark
    public int simpleQuery() {
        queue.forward(RequestType.SIMPLE);
        return answer(SIMPLE_ANSWER_TERMINAL);
    }

    /** pgbench -M extended: Parse, Bind, Describe, Execute, Sync. */
    @Benchmark
    public int extendedBatch() {
        queue.forward(RequestType.EXTENDED);
        queue.forward(RequestType.EXTENDED);
        queue.forward(RequestType.EXTENDED);
        queue.forward(RequestType.EXTENDED);
        queue.forward(RequestType.SYNC);
        return answer(EXTENDED_ANSWER_TERMINAL);
    }

    /** The answers before ReadyForQuery, then ReadyForQuery; returns how many requests completed. */
    private int answer(boolean[] terminal) {
        int completed = 0;
        for (boolean each : terminal) {
            // passes(): a terminal answer completes a forwarded extended request at the head.
            if (each && queue.headAction() == ResponseAction.FORWARD && queue.headType() == RequestType.EXTENDED) {
                queue.pop();
                completed++;
            }
        }
        // readyForQuery(): skipped extended requests fail, then the Query or Sync completes.
        while (!queue.isEmpty() && !queue.headType().endsWithReadyForQuery()) {
            queue.pop();
            completed++;
        }
        queue.pop();
        completed++;
        if (!queue.isEmpty()) {
            throw new IllegalStateException("requests left after ReadyForQuery: " + queue.size());
        }
        return completed;
    }
}
