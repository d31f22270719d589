package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.UpstreamTarget;
import io.pgmux.server.TestBackends;
import io.pgmux.testing.TestLoop;
import io.pgmux.testing.TestLoops;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real {@link PoolManager} on {@link TestLoops} with a mock clock, whose server connections reach an in-memory
 * backend ({@link TestBackends}) the test drives: which connects succeed, which logins pass, when backends hang
 * up. Clients are {@link Client}s that record what the pool told them.
 */
final class PoolFixture implements AutoCloseable {
    final TestLoops loops;
    final PoolManager pools;
    /** Connections the pool asked to open and the test has not accepted yet, oldest first. */
    private final ArrayDeque<ServerConnection> connecting = new ArrayDeque<>();
    final List<ServerConnection> opened = new ArrayList<>();
    /** Cancel requests sent and not answered yet, oldest first: each takes the outcome the test decides. */
    final ArrayDeque<Consumer<CancelOutcome>> cancels = new ArrayDeque<>();

    PoolFixture(int loopCount, String yaml) {
        loops = new TestLoops(loopCount);
        pools = new PoolManager(config(yaml), new Dialer() {
            @Override
            public void connect(ServerConnection server, EventLoop loop) {
                PoolFixture.this.connect(server, loop);
            }

            @Override
            public void cancel(EventLoop loop, UpstreamTarget target, BackendKeyData key,
                               Consumer<CancelOutcome> done) {
                cancels.add(outcome -> ((TestLoop) loop).run(() -> done.accept(outcome)));
            }
        }, loops, loops.ticker(), new io.pgmux.stats.StatsRegistry());
    }

    static PgmuxConfig config(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml", Map.of());
    }

    private void connect(ServerConnection server, EventLoop loop) {
        connecting.add(server);
        opened.add(server);
        pendingLoops.add((TestLoop) loop);
    }

    private final ArrayDeque<TestLoop> pendingLoops = new ArrayDeque<>();

    /** Connections asked for and not yet accepted. */
    int connectsPending() {
        return connecting.size();
    }

    /** The oldest pending connect succeeds and its login passes; returns the connection. */
    ServerConnection acceptAndLogIn() {
        ServerConnection server = accept();
        TestBackends.logIn(server);
        loops.runAll();
        return server;
    }

    /** Every pending connect succeeds and logs in. */
    List<ServerConnection> acceptAll() {
        List<ServerConnection> result = new ArrayList<>();
        while (!connecting.isEmpty()) {
            result.add(acceptAndLogIn());
        }
        return result;
    }

    /** The oldest pending connect succeeds (TCP); the login is still to come. */
    ServerConnection accept() {
        ServerConnection server = connecting.poll();
        TestLoop loop = pendingLoops.poll();
        if (server == null) {
            throw new AssertionError("the pool opened no connection");
        }
        TestBackends.accept(server, loop);
        loops.runAll();
        return server;
    }

    /** PostgreSQL answers the oldest cancel request: {@code outcome}; then every loop runs what that set off. */
    void answerCancel(CancelOutcome outcome) {
        Consumer<CancelOutcome> oldest = cancels.poll();
        if (oldest == null) {
            throw new AssertionError("no cancel request was sent");
        }
        oldest.accept(outcome);
        loops.runAll();
    }

    /** Backends of connections the pool closed (sent Terminate to) hang up, as PostgreSQL does. */
    void hangUpClosing() {
        for (ServerConnection each : opened) {
            if (each.state() == io.pgmux.server.ServerState.CLOSING && each.channel().isOpen()) {
                TestBackends.hangUp(each);
            }
        }
        loops.runAll();
    }

    ServerPool pool(String database, String user) {
        return pools.pool(database, user);
    }

    Client client(int loop) {
        return new Client(loops.get(loop));
    }

    /** {@code client} asks for a server, on its loop; then every loop runs what that set off. */
    void acquire(ServerPool pool, Client client) {
        client.pool = pool;
        client.loop.run(() -> pools.acquire(pool, client));
        loops.runAll();
    }

    /** {@code client} gives its server back, on its loop. */
    void release(Client client) {
        ServerConnection server = client.take();
        client.loop.run(() -> pools.release(server));
        loops.runAll();
    }

    void advance(long millis) {
        loops.advance(millis, TimeUnit.MILLISECONDS);
    }

    /** The janitor's sweeps, as the runtime runs them. */
    void sweep() {
        pools.serveLongWaiters();
        pools.checkWaits();
        pools.closeExpiredIdleServers();
        pools.openMinimumConnections();
        loops.runAll();
    }

    @Override
    public void close() {
        pools.closeAll();
        loops.runAll();
        for (ServerConnection each : opened) {
            if (each.channel() != null && each.channel().isOpen()) {
                TestBackends.hangUp(each);
            }
        }
        loops.runAll();
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** A client of the pool, on one loop, recording what it was told. */
    static final class Client extends PoolClient {
        final TestLoop loop;
        ServerPool pool;
        ServerConnection server;
        PgError failure;
        WaitReason notifiedFor;
        /** The query_wait_notify NOTICE, null until it came. */
        PgError notice;
        int assignments;

        Client(TestLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public void serverAssigned(ServerConnection assigned) {
            if (!loop.inEventLoop()) {
                throw new AssertionError("server assigned off the client's loop");
            }
            if (assigned.channel().eventLoop() != loop) {
                throw new AssertionError(assigned + " assigned on " + loop + " but registered elsewhere");
            }
            server = assigned;
            assignments++;
        }

        @Override
        public void waitingLong(long waitedMillis, WaitReason reason, PgError notice) {
            notifiedFor = reason;
            this.notice = notice;
        }

        @Override
        public void acquireFailed(PgError error) {
            failure = error;
        }

        boolean hasServer() {
            return server != null;
        }

        ServerConnection take() {
            ServerConnection held = server;
            if (held == null) {
                throw new AssertionError("the client holds no server");
            }
            server = null;
            return held;
        }
    }
}
