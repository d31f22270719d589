package io.pgmux.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.pgmux.client.ClientChannelInitializer;
import io.pgmux.client.ClientServices;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.PoolSnapshot;
import io.pgmux.server.ServerConnector;
import io.pgmux.testing.TestChannel;
import io.pgmux.testing.TestLoop;
import io.pgmux.testing.TestLoops;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One client and one server connection wired together by the production classes, with in-memory channels in
 * place of the two sockets: the client pipeline of {@link ClientChannelInitializer}, the real {@link PoolManager}
 * lending the server, the real {@link ServerConnector} connecting it and building the server pipeline. Both
 * channels share one event loop, as a client and its server do in production, and that loop is the calling
 * thread (a {@link TestLoop} it has entered). The peers (the application and PostgreSQL) are scripted: the harness feeds their bytes in and takes
 * what the proxy wrote out.
 */
public final class ProxyHarness implements AutoCloseable {
    private static final String USER = "bench";
    private static final String APPLICATION = "pgbench";

    private final TestLoops loops = new TestLoops(1);
    private final TestLoop loop = loops.get(0);
    private final ChannelGroup channels = new DefaultChannelGroup("bench", loop);
    private final List<TestChannel> opened = new ArrayList<>();
    private final PoolManager pools;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final ClientServices services;
    private final TestChannel client = new TestChannel();
    private final TestChannel server;

    private ProxyHarness(PoolMode mode, int poolSize) {
        // The calling thread is the loop for the harness's whole life, as an I/O thread is for its channels.
        loop.enter();
        PgmuxConfig config = ConfigLoader.parse(yaml(mode, poolSize), "bench.yaml", Map.of());
        ServerConnector connector = new ServerConnector(this::openServerChannel, Duration.ofSeconds(5),
                config.maxMessageSize(), channels);
        pools = new PoolManager(config, connector, loop);
        services = new ClientServices(config, pools, connector, channels, () -> {
            throw new IllegalStateException("the benchmark does not log in to the admin console");
        });
        // As the acceptor does: pipeline first, then registration, which makes the channel active.
        client.pipeline().addLast(new ClientChannelInitializer(services));
        loop.register(client);
        server = logIn();
    }

    /**
     * A client logged in through the proxy, whose pool has one logged-in server: idle in the pool in transaction
     * mode, linked to the client in session mode.
     */
    public static ProxyHarness start(PoolMode mode) {
        return new ProxyHarness(mode, 0);
    }

    /**
     * As {@link #start(PoolMode)}, with a pool of {@code poolSize} servers at most, so that clients beyond it wait
     * instead of making the pool open servers the harness never logs in.
     */
    public static ProxyHarness start(PoolMode mode, int poolSize) {
        return new ProxyHarness(mode, poolSize);
    }

    private static String yaml(PoolMode mode, int poolSize) {
        return "pool_mode: " + mode.configName() + "\n"
                + (poolSize > 0 ? "default_pool_size: " + poolSize + "\n" : "")
                + "auth_type: trust\n"
                // The scripted backend answers no SSLRequest: the path measured is the plain one.
                + "server_tls_sslmode: disable\n"
                + "databases:\n"
                + "  " + USER + ": {host: 127.0.0.1, port: 5432}\n"
                + "users:\n"
                + "  - name: " + USER + "\n";
    }

    private TestChannel openServerChannel() {
        TestChannel channel = TestChannel.unconnected();
        opened.add(channel);
        return channel;
    }

    /** Startup, the pool opening a server, its login, the client's greeting, and aligning application_name. */
    private TestChannel logIn() {
        feed(client, Backend.startupMessage(USER, USER, APPLICATION));
        loop.runTasks();
        if (opened.size() != 1) {
            throw new IllegalStateException("expected the pool to open one server, it opened " + opened.size());
        }
        TestChannel backend = opened.get(0);
        expect("startup sent to the server", Buffers.takeOutbound(backend).length > 0);
        feed(backend, Backend.loginAnswer());
        // The client asked for application_name=pgbench; the fresh server has none, so the proxy sets it.
        expectTags("alignment sent to the server", "Q", Buffers.takeOutbound(backend));
        feed(backend, Backend.setApplicationNameAnswer(APPLICATION));
        String greeting = Wire.tags(Buffers.takeOutbound(client));
        expect("client greeted with AuthenticationOk ... ReadyForQuery, got " + greeting,
                greeting.startsWith("R") && greeting.endsWith("KZ"));
        loop.runTasks();
        return backend;
    }

    /**
     * One more client logged in through the proxy, greeted from what the pool knows without a server: with a pool
     * of one, its requests wait while another client holds the server ({@link #waitedTransactions}).
     */
    public TestChannel logInAnotherClient() {
        TestChannel other = new TestChannel();
        other.pipeline().addLast(new ClientChannelInitializer(services));
        loop.register(other);
        feed(other, Backend.startupMessage(USER, USER, APPLICATION));
        loop.runTasks();
        String greeting = Wire.tags(Buffers.takeOutbound(other));
        expect("second client greeted with AuthenticationOk ... ReadyForQuery, got " + greeting,
                greeting.startsWith("R") && greeting.endsWith("KZ"));
        return other;
    }

    /** Sends a setup exchange (e.g. pgbench's PQprepare) and checks that the client got {@code expectedTags}. */
    public void exchange(byte[] request, byte[] answer, String expectedTags) {
        exchange(client, request, answer, expectedTags);
    }

    /**
     * As {@link #exchange(byte[], byte[], String)}, for {@code from}, while no other client holds the server. The
     * server answers only if the request reached it: a Parse of a statement the pool knows already is answered by
     * the proxy alone.
     */
    public void exchange(TestChannel from, byte[] request, byte[] answer, String expectedTags) {
        feed(from, request);
        if (Buffers.drainOutbound(server) > 0) {
            feed(server, answer);
        }
        expectTags("answer to the client", expectedTags, Buffers.takeOutbound(from));
        loop.runTasks();
    }

    /**
     * One transaction the way the proxy sees it over the sockets: the client's request arrives in one read, the
     * proxy writes it to the server, the server's answer arrives in one read, the proxy writes it to the client.
     * Returns the bytes written to both peers, so that nothing can be optimised away.
     */
    public int transaction(byte[] request, byte[] answer) {
        feed(client, request);
        int toServer = Buffers.drainOutbound(server);
        feed(server, answer);
        int toClient = Buffers.drainOutbound(client);
        loop.runTasks();
        return toServer + toClient;
    }

    /**
     * Two transactions on the pool's one server, the way they go when clients outnumber servers: the first
     * client's request goes to the server at once; {@code second}'s arrives meanwhile and waits; the first answer
     * goes back, the server is handed to {@code second} and its kept request goes out; then its answer. Returns
     * the bytes written to the peers.
     */
    public int waitedTransactions(TestChannel second, byte[] request, byte[] answer) {
        feed(client, request);
        feed(second, request);
        int toServer = Buffers.drainOutbound(server);
        feed(server, answer);
        loop.runTasks();
        int toClients = Buffers.drainOutbound(client);
        toServer += Buffers.drainOutbound(server);
        feed(server, answer);
        toClients += Buffers.drainOutbound(second);
        loop.runTasks();
        return toServer + toClients;
    }

    /** The client the harness logged in first, which {@link #transaction} uses. */
    public TestChannel firstClient() {
        return client;
    }

    /** A read of {@code request} on {@code from}, and the loop's tasks after it. */
    public void send(TestChannel from, byte[] request) {
        feed(from, request);
        loop.runTasks();
    }

    /** Fails unless what the proxy wrote to the server since it was last read has the message tags {@code tags}. */
    public void takeFromServer(String tags) {
        expectTags("request forwarded to the server", tags, Buffers.takeOutbound(server));
    }

    /**
     * The turn of {@link ManyClientsBenchmark}: the server's {@code answer} reaches {@code served}, the server goes
     * to the next waiting client (its kept request written to the server), and {@code served} sends {@code request}
     * again, to wait at the end of the line. Returns the bytes written to the peers.
     */
    public int answerAndRequeue(TestChannel served, byte[] answer, byte[] request) {
        feed(server, answer);
        loop.runTasks();
        int bytes = Buffers.drainOutbound(served) + Buffers.drainOutbound(server);
        feed(served, request);
        loop.runTasks();
        return bytes;
    }

    /** Runs {@link #waitedTransactions}, checking that each peer receives exactly the messages it should. */
    public void checkWaitedTransactions(TestChannel second, byte[] request, byte[] answer) {
        feed(client, request);
        feed(second, request);
        expectTags("first request forwarded", Wire.tags(request), Buffers.takeOutbound(server));
        feed(server, answer);
        loop.runTasks();
        expectTags("first answer forwarded", Wire.tags(answer), Buffers.takeOutbound(client));
        expectTags("waiting request forwarded at the hand-off", Wire.tags(request), Buffers.takeOutbound(server));
        feed(server, answer);
        expectTags("second answer forwarded", Wire.tags(answer), Buffers.takeOutbound(second));
        loop.runTasks();
    }

    /** Runs one transaction, checking that each peer receives exactly the messages it should. */
    public void checkTransaction(byte[] request, byte[] answer) {
        feed(client, request);
        expectTags("request forwarded to the server", Wire.tags(request), Buffers.takeOutbound(server));
        feed(server, answer);
        expectTags("answer forwarded to the client", Wire.tags(answer), Buffers.takeOutbound(client));
        loop.runTasks();
    }

    /** The real pool manager, for benchmarks of the pool alone. */
    public PoolManager pools() {
        return pools;
    }

    /** The event loop the client, its server and the benchmark thread share. */
    public io.netty.channel.EventLoop loop() {
        return loop;
    }

    /** Fails unless the pool's servers are {@code expected}, idle and active as {@link #servers} gives them. */
    public void expectServers(String expected) {
        String servers = servers();
        expect("servers idle/active: expected " + expected + ", got " + servers, expected.equals(servers));
    }

    /** Servers of the pool idle (given back) and active (lent to the client), as "idle/active". */
    public String servers() {
        PoolSnapshot pool = pools.pools().iterator().next().snapshot();
        return pool.serversIdle() + "/" + pool.serversActive();
    }

    /** A socket read of {@code bytes} on {@code channel}: one channelRead, then channelReadComplete. */
    private void feed(TestChannel channel, byte[] bytes) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.fireChannelRead(Buffers.read(alloc, bytes));
        pipeline.fireChannelReadComplete();
    }

    private static void expectTags(String what, String expected, byte[] actual) {
        String tags = Wire.tags(actual);
        expect(what + ": expected " + expected + ", got " + tags, expected.equals(tags));
    }

    private static void expect(String what, boolean ok) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** Closes the client, then the pool's servers, and releases whatever they were still writing. */
    @Override
    public void close() {
        client.close();
        pools.closeAll();
        loop.runTasks();
        for (TestChannel each : opened) {
            each.close();
        }
        loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        client.releaseOutbound();
        for (TestChannel each : opened) {
            each.releaseOutbound();
        }
    }
}
