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
import java.util.ArrayList;
import java.util.List;
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
    private MessageFramer framer;
    private final List<Object> out = new ArrayList<>(8);
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
        framer = new MessageFramer(MAX_MESSAGE_SIZE, side);
        channel = new EmbeddedChannel(new MessageFramer(MAX_MESSAGE_SIZE, side), sink);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        read.release();
        channel.finishAndReleaseAll();
        if (read.refCnt() != 0) {
            throw new IllegalStateException("a frame of the read buffer was not released");
        }
    }

    /**
     * MessageFramer.decode alone, on a read buffer that stays put: one call per message (as ByteToMessageDecoder
     * makes them), each checking the type and length and taking one retained slice, which the handler releases
     * once it has forwarded the message.
     */
    @Benchmark
    public int decode() {
        read.readerIndex(0);
        while (read.isReadable()) {
            framer.decode(null, read, out);
        }
        int messages = out.size();
        for (int i = 0; i < messages; i++) {
            ((ByteBuf) out.get(i)).release();
        }
        out.clear();
        return messages;
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
