package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgmux.bench.Buffers;
import io.pgmux.bench.EventLoopThreads;
import io.pgmux.bench.Pgbench;
import io.pgmux.bench.Wire;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
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
 * A logged-in server's read path as production runs it: a simple Query written to the backend, then the
 * backend's whole answer as one socket read (a fresh pooled direct buffer) through the server pipeline (the
 * message framer in forwarding mode, the server handler, the response router) to a client link that releases
 * what it is written, and the read-complete. What one DataRow costs is the difference between {@code ROWS_100}
 * and {@code ROWS_1}, divided by 99; COPY OUT is the same with CopyData.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ServerReadBenchmark {
    /** The backend's answer to the Query, in one read. */
    public enum Answer {
        /** pgbench -S: RowDescription, one DataRow, CommandComplete, ReadyForQuery. */
        ROWS_1(rows(1)),
        /** The same with 100 DataRows. */
        ROWS_100(rows(100)),
        /** COPY ... TO STDOUT of 100 rows: CopyOutResponse, 100 CopyData, CopyDone, CommandComplete, ReadyForQuery. */
        COPY_OUT_100(copyOut(100));

        private final byte[] bytes;

        Answer(byte[] bytes) {
            this.bytes = bytes;
        }

        private static byte[] rows(int n) {
            byte[][] parts = new byte[n + 3][];
            parts[0] = Pgbench.rowDescription();
            for (int i = 1; i <= n; i++) {
                parts[i] = Pgbench.dataRow();
            }
            parts[n + 1] = Pgbench.commandComplete();
            parts[n + 2] = Pgbench.readyForQuery();
            return Wire.concat(parts);
        }

        private static byte[] copyOut(int n) {
            byte[][] parts = new byte[n + 4][];
            parts[0] = Wire.message('H').byte1((char) 0).int16(1).int16(0).end();
            for (int i = 1; i <= n; i++) {
                parts[i] = Wire.message('d').bytes("48213\t0\n").end();
            }
            parts[n + 1] = Wire.message('c').end();
            parts[n + 2] = Wire.message('C').cstring("COPY " + n).end();
            parts[n + 3] = Pgbench.readyForQuery();
            return Wire.concat(parts);
        }
    }

    @Param({"ROWS_1", "ROWS_100", "COPY_OUT_100"})
    public Answer answer;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final CountingLink client = new CountingLink();
    private final byte[] query = Pgbench.query();
    private EmbeddedChannel socket;
    private ChannelPipeline pipeline;
    private ServerConnection server;
    private byte[] answerBytes;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        answerBytes = answer.bytes;
        socket = new EmbeddedChannel();
        UpstreamTarget target = new UpstreamTarget("127.0.0.1", 5432, "bench", "bench", null, Map.of());
        server = new ServerConnection(1, target, new UnpooledSlot(), 100);
        // Logged in already: no login work (key derivation) ever reaches the executor.
        ServerHandler handler = new ServerHandler(server, Runnable::run);
        MessageFramer framer = new MessageFramer(1 << 20, ExpectedMessages.BACKEND);
        socket.pipeline().addLast(MessageFramer.NAME, framer).addLast(handler);
        pipeline = socket.pipeline();
        // A logged-in server: attached to its socket without the login exchange, answers forwarded as runs.
        server.attachChannel(socket);
        server.assumeLoggedIn();
        framer.forwardRuns(handler);
        server.link(client);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (!server.isAtBoundary() || client.boundaries == 0) {
            throw new IllegalStateException("the transactions did not end at a boundary");
        }
        server.unlink();
        socket.finishAndReleaseAll();
    }

    @Benchmark
    public int transaction() {
        server.sendFromClient(Buffers.read(alloc, query));
        server.flush();
        Object each;
        while ((each = socket.readOutbound()) != null) {
            ReferenceCountUtil.release(each);
        }
        pipeline.fireChannelRead(Buffers.read(alloc, answerBytes));
        pipeline.fireChannelReadComplete();
        return client.takeWrites();
    }

    /** The linked client: releases what it is written, as writing it to the client socket would. */
    private static final class CountingLink extends ServerLinkAdapter {
        private int writes;
        private int boundaries;

        int takeWrites() {
            int result = writes;
            writes = 0;
            return result;
        }

        @Override
        public void serverMessage(ByteBuf bytes) {
            writes++;
            bytes.release();
        }

        @Override
        public void serverAtBoundary() {
            boundaries++;
        }
    }
}
