package io.pgmux.bench;

import io.netty.channel.EventLoop;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.PoolClient;
import io.pgmux.pool.ServerPool;
import io.pgmux.pool.WaitReason;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
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
 * The pool's part of a transaction alone: a client of the loop the idle server is on takes it from the real
 * PoolManager and gives it back, nobody else waiting. This is the hand-off every transaction in transaction mode
 * pays twice, and the one the per-loop idle lists make lock-free.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class PoolHandoffBenchmark {
    private ProxyHarness proxy;
    private ServerPool pool;
    private Client client;

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        proxy = ProxyHarness.start(PoolMode.TRANSACTION);
        pool = proxy.pools().pools().iterator().next();
        client = new Client(proxy.loop());
        lendAndTakeBack();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        proxy.expectServers("1/0");
        if (client.assigned == 0) {
            throw new IllegalStateException("the pool never lent the server");
        }
        proxy.close();
    }

    @Benchmark
    public ServerConnection lendAndTakeBack() {
        proxy.pools().acquire(pool, client);
        ServerConnection server = client.server;
        if (server == null) {
            throw new IllegalStateException("the idle server was not lent at once");
        }
        client.server = null;
        proxy.pools().release(server);
        return server;
    }

    private static final class Client extends PoolClient {
        private final EventLoop loop;
        ServerConnection server;
        long assigned;

        Client(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public void serverAssigned(ServerConnection assignedServer) {
            server = assignedServer;
            assigned++;
        }

        @Override
        public void waitingLong(long waitedMillis, WaitReason reason, PgError notice) {
        }

        @Override
        public void acquireFailed(PgError error) {
            throw new IllegalStateException(error.toString());
        }
    }
}
