package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.bench.Buffers;
import io.pgmux.bench.EventLoopThreads;
import io.pgmux.bench.Workload;
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
 * Cutting one socket read into messages: the first step of every byte the proxy forwards, on both sides.
 * {@code SELECT_ANSWER} is what the server sends for one pgbench -S transaction (RowDescription, DataRow,
 * CommandComplete, ReadyForQuery); {@code EXTENDED_REQUEST} what the client sends for one in -M extended (Parse,
 * Bind, Describe, Execute, Sync).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class MessageFramerBenchmark {
    /** The default max_message_size. */
    private static final int MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

    @Param({"SELECT_ANSWER", "EXTENDED_REQUEST"})
    public String burst;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private EmbeddedChannel runChannel;
    private final CountingRouter router = new CountingRouter();
    private byte[] bytes;
    private ByteBuf read;
    private EmbeddedChannel channel;
    private Sink sink;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        bytes = "SELECT_ANSWER".equals(burst) ? Workload.SIMPLE.answer() : Workload.EXTENDED.request();
        read = Buffers.read(alloc, bytes);
        sink = new Sink();
        ExpectedMessages side = "SELECT_ANSWER".equals(burst) ? ExpectedMessages.BACKEND : ExpectedMessages.FRONTEND;
        channel = new EmbeddedChannel(new MessageFramer(MAX_MESSAGE_SIZE, side), sink);
        MessageFramer forwarding = new MessageFramer(MAX_MESSAGE_SIZE, side);
        runChannel = new EmbeddedChannel(forwarding);
        forwarding.forwardRuns(router);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        read.release();
        channel.finishAndReleaseAll();
        runChannel.finishAndReleaseAll();
        if (read.refCnt() != 0) {
            throw new IllegalStateException("a frame of the read buffer was not released");
        }
    }

    /**
     * A whole read in forwarding mode: a fresh pooled direct buffer holding the burst, the boundaries found in
     * place, every message in one run (the read buffer itself), ReadyForQuery read in place after it, then
     * channelReadComplete. The router stands for the connection and releases what it is handed.
     */
    @Benchmark
    public int runs() {
        ChannelPipeline pipeline = runChannel.pipeline();
        pipeline.fireChannelRead(Buffers.read(alloc, bytes));
        pipeline.fireChannelReadComplete();
        return router.takeCount();
    }

    /**
     * A whole read as the channel sees it: a fresh pooled direct buffer holding the burst (what the socket read
     * allocates and fills), ByteToMessageDecoder's cumulation and dispatch, one channelRead per message, then
     * channelReadComplete. The sink stands for the connection handler and releases each message.
     */
    @Benchmark
    public int channelRead() {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.fireChannelRead(Buffers.read(alloc, bytes));
        pipeline.fireChannelReadComplete();
        return sink.takeCount();
    }

    /** Passes everything, reading ReadyForQuery in place; counts and releases what it is handed. */
    private static final class CountingRouter implements MessageRouter {
        private int count;

        int takeCount() {
            int result = count;
            count = 0;
            return result;
        }

        @Override
        public Route route(byte tag, int length) {
            return tag == 'Z' ? Route.PASS_AND_READ : Route.PASS;
        }

        @Override
        public void passed(ByteBuf buffer, int index) {
            count++;
        }

        @Override
        public void run(ByteBuf bytes) {
            count++;
            bytes.release();
        }

        @Override
        public void message(ByteBuf message) {
            count++;
            message.release();
        }
    }

    /** Counts and releases messages, as the connection handlers do once a message is written on. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private int count;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            count++;
            ((ByteBuf) msg).release();
        }

        int takeCount() {
            int result = count;
            count = 0;
            return result;
        }
    }
}
