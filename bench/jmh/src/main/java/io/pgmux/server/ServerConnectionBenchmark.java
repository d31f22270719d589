package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgmux.bench.Buffers;
import io.pgmux.bench.EventLoopThreads;
import io.pgmux.bench.Wire;
import io.pgmux.bench.Workload;
import io.pgmux.testing.ServerLinkAdapter;
import io.pgmux.testing.UnpooledSlot;
import java.util.Map;
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
 * A server connection's own work for one transaction, without the pipelines around it: sendFromClient for each
 * of the client's messages (queueing what the backend owes, writing to the socket), one flush, then
 * frameReceived for each answer (routing it by the queue head, decoding ReadyForQuery's status, telling the
 * linked client). Messages are retained slices of one buffer per side, as the framer hands them over.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ServerConnectionBenchmark {
    @Param({"SIMPLE", "EXTENDED", "PREPARED"})
    public Workload workload;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final CountingLink client = new CountingLink();
    private EmbeddedChannel socket;
    private ServerConnection server;
    private ByteBuf request;
    private int[] requestBounds;
    private ByteBuf answer;
    private int[] answerBounds;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        byte[] requestBytes = workload.request();
        byte[] answerBytes = workload.answer();
        request = Buffers.read(alloc, requestBytes);
        requestBounds = Wire.bounds(requestBytes);
        answer = Buffers.read(alloc, answerBytes);
        answerBounds = Wire.bounds(answerBytes);
        socket = new EmbeddedChannel();
        UpstreamTarget target = new UpstreamTarget("127.0.0.1", 5432, "bench", "bench", null, Map.of());
        server = new ServerConnection(1, target, new UnpooledSlot(), 100);
        // A logged-in server: attached to its socket without the login exchange.
        server.attachChannel(socket);
        server.assumeLoggedIn();
        server.link(client);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!server.isAtBoundary() || client.boundaries == 0) {
            throw new IllegalStateException("the transactions did not end at a boundary");
        }
        server.unlink();
        socket.finishAndReleaseAll();
        request.release();
        answer.release();
        if (request.refCnt() != 0 || answer.refCnt() != 0) {
            throw new IllegalStateException("a message was not released");
        }
    }

    @Benchmark
    public int transaction() {
        for (int i = 0; i < requestBounds.length - 1; i++) {
            server.sendFromClient(request.retainedSlice(requestBounds[i], requestBounds[i + 1] - requestBounds[i]));
        }
        server.flush();
        int written = 0;
        Object each;
        while ((each = socket.readOutbound()) != null) {
            written++;
            ReferenceCountUtil.release(each);
        }
        for (int i = 0; i < answerBounds.length - 1; i++) {
            server.frameReceived(answer.retainedSlice(answerBounds[i], answerBounds[i + 1] - answerBounds[i]));
        }
        return written + client.takeForwarded();
    }

    /** The linked client: releases what it is given, as writing it to the client socket would. */
    private static final class CountingLink extends ServerLinkAdapter {
        private int forwarded;
        private int boundaries;

        int takeForwarded() {
            int result = forwarded;
            forwarded = 0;
            return result;
        }

        @Override
        public void serverMessage(ByteBuf frame) {
            forwarded++;
            frame.release();
        }

        @Override
        public void serverAtBoundary() {
            boundaries++;
        }
    }
}
