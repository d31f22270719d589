package io.pgmux.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.bench.Buffers;
import io.pgmux.bench.EventLoopThreads;
import io.pgmux.bench.Pgbench;
import io.pgmux.protocol.frontend.Bind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a client connection in transaction mode does to a request besides forwarding it: looking at a Query's
 * text for session commands (ClientConnection.forward and NamedStatements.query), and giving a Bind of a named
 * statement the server-side name (NamedStatements.bind and replaceHead).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class ClientAccountingBenchmark {
    /** What pgmux names a statement on its servers: "pgmux_" and 24 hex digits. */
    private static final String SERVER_NAME = "pgmux_0123456789abcdef01234567";

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    /** A client connection's lexer, reused for each of its queries. */
    private final SqlLexer lexer = new SqlLexer();
    /** A client's last bound statement name. */
    private final LastStatementName lastBound = new LastStatementName();
    private ByteBuf queryRead;
    private ByteBuf bindRead;
    /**
     * The messages as the client connection gets them: slices of a read buffer, as the framer cuts them. The
     * type matters: every byte read through a slice pays its bounds and reference-count checks.
     */
    private ByteBuf query;
    private ByteBuf bind;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        queryRead = Buffers.read(alloc, Pgbench.query());
        query = queryRead.slice();
        bindRead = Buffers.read(alloc, Pgbench.bind(Pgbench.STATEMENT));
        bind = bindRead.slice();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queryRead.release();
        bindRead.release();
    }

    /** pgbench -M simple's Query: the session-state scan, then the DEALLOCATE/DISCARD check. */
    @Benchmark
    public boolean inspectQuery() {
        int start = query.readerIndex() + 5;
        int end = query.writerIndex() - 1;
        SessionEffects effects = SessionStatement.of(query, start, end, true, lexer);
        SqlCommand command = SqlCommand.classify(query);
        return effects == SessionEffects.NONE && command == SqlCommand.OTHER;
    }

    /**
     * pgbench -M prepared's Bind renamed by copying it whole (how pgmux renamed a Bind until it wrote only the new
     * beginning; {@link #renameBindHead} is how it does it now): read the client's statement name, copy the Bind
     * under the server's name.
     */
    @Benchmark
    public int renameBind() {
        String clientName = Bind.statementName(bind);
        ByteBuf renamed = Bind.withStatementName(alloc, bind, SERVER_NAME);
        int length = renamed.readableBytes() + clientName.length();
        renamed.release();
        return length;
    }

    /**
     * pgbench -M prepared's Bind as NamedStatements renames it: the client's name compared in place with the last
     * one bound, a new beginning (type, length, portal, server name) written; the parameters are not copied.
     */
    @Benchmark
    public int renameBindHead() {
        int nameStart = Bind.statementNameStart(bind);
        int nameEnd = Bind.statementNameEnd(bind, nameStart);
        String clientName = lastBound.read(bind, nameStart, nameEnd);
        ByteBuf head = Bind.headWithStatementName(alloc, bind, nameEnd + 1, SERVER_NAME);
        int length = head.readableBytes() + bind.writerIndex() - nameEnd - 1 + clientName.length();
        head.release();
        return length;
    }
}
