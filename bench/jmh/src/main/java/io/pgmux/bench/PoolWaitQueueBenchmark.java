package io.pgmux.bench;

import io.netty.channel.EventLoop;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.PoolClient;
import io.pgmux.pool.ServerPool;
import io.pgmux.pool.WaitReason;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import java.util.ArrayDeque;
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
 * The pool's part of a transaction when clients outnumber servers (pgbench with 1000 clients on a pool of 20):
 * the one server goes back to the pool and straight to the longest-waiting client, and the client that had it
 * asks again and queues behind the others. {@code waiting} clients stay queued throughout, so the costs that grow
 * with the queue (taking a waiter out, looking past the head) show here and not in {@link PoolHandoffBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {EventLoopThreads.JMH_EXECUTOR, EventLoopThreads.JMH_EXECUTOR_CLASS})
public class PoolWaitQueueBenchmark {
    @Param({"1", "1000"})
    public int waiting;

    private ProxyHarness proxy;
    private ServerPool pool;
    /** The clients in the order the pool should serve them; the first holds the server. */
    private final ArrayDeque<Client> clients = new ArrayDeque<>();

    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.check();
        proxy = ProxyHarness.start(PoolMode.TRANSACTION, 1);
        pool = proxy.pools().pools().iterator().next();
        for (int i = 0; i <= waiting; i++) {
            Client client = new Client(proxy.loop());
            clients.add(client);
            proxy.pools().acquire(pool, client);
        }
        if (clients.peekFirst().server == null) {
            throw new IllegalStateException("the idle server was not lent at once");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Client holder = clients.peekFirst();
        for (Client each : clients) {
            if (each != holder && !proxy.pools().cancelWait(pool, each)) {
                throw new IllegalStateException("a client expected to wait was not queued");
            }
        }
        proxy.pools().release(holder.server);
        holder.server = null;
        proxy.expectServers("1/0");
        proxy.close();
    }

    @Benchmark
    public ServerConnection handToNextWaiter() {
        Client holder = clients.pollFirst();
        ServerConnection server = holder.server;
        holder.server = null;
        proxy.pools().release(server);
        Client next = clients.peekFirst();
        if (next.server != server) {
            throw new IllegalStateException("the server did not go to the longest-waiting client");
        }
        proxy.pools().acquire(pool, holder);
        clients.addLast(holder);
        return server;
    }

    private static final class Client extends PoolClient {
        private final EventLoop loop;
        ServerConnection server;

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
