package io.pgmux.session;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.config.ConfigLoader;
import io.pgmux.pool.PoolManager;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.Bytes;
import io.pgmux.server.ServerConnector;
import io.pgmux.testing.TestLoop;
import io.pgmux.testing.TestLoops;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A transaction pool's clients ({@link NamedStatements}) and servers ({@link ScriptedServer}) on one test event
 * loop, and the client messages they exchange, written as the protocol docs lay them out. The pool opens no
 * connection itself: the test makes the servers and decides which one a request goes to.
 */
final class StatementsFixture implements AutoCloseable {
    private static final String CONFIG = """
            auth_type: trust
            databases:
              app: {host: db, port: 5432}
            users:
              - {name: app}
            """;

    private final TestLoops loops = new TestLoops(1);
    private final TestLoop loop = loops.get(0);
    private final PoolManager pools = new PoolManager(ConfigLoader.parse(CONFIG, "test.yaml", Map.of()),
            new ServerConnector(NioSocketChannel::new, Duration.ofSeconds(1), 1 << 20,
                    new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)), loops);
    final ServerPool pool = pools.pool("app", "app");
    private final List<ScriptedServer> servers = new ArrayList<>();

    /** A client of the pool. */
    NamedStatements client() {
        return new NamedStatements(ByteBufAllocator.DEFAULT, pool, SessionParameters.fromStartup(Map.of()));
    }

    ScriptedServer server() {
        return server(10);
    }

    ScriptedServer server(int maxPreparedStatements) {
        ScriptedServer server = new ScriptedServer(servers.size() + 1, loop, maxPreparedStatements);
        servers.add(server);
        return server;
    }

    @Override
    public void close() {
        servers.forEach(ScriptedServer::hangUp);
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** The client sends {@code messages} in one write, and they go to {@code server}. */
    static void send(NamedStatements client, ScriptedServer server, byte[]... messages) {
        server.onLoop(() -> {
            for (byte[] each : messages) {
                client.send(server.server, Unpooled.wrappedBuffer(each));
            }
        });
    }

    /** The client prepares {@code name} on {@code server}, which parses it cleanly; the exchange is forgotten. */
    static void prepared(NamedStatements client, ScriptedServer server, String name, String sql) {
        send(client, server, parse(name, sql), sync());
        server.received();
        server.answer("1Z");
        server.toClient();
    }

    /** pgmux's name for a statement of {@code sql} without parameter types: derived from its definition only. */
    static String serverName(String sql) {
        return Statement.of(Bytes.of().cstring(sql).int16(0).build(), 0, "").serverName();
    }

    static byte[] parse(String name, String sql) {
        return Bytes.message('P', Bytes.of().cstring(name).cstring(sql).int16(0).build());
    }

    /** Binds the unnamed portal to {@code statement}, without parameters. */
    static byte[] bind(String statement) {
        return Bytes.message('B', Bytes.of().cstring("").cstring(statement).int16(0).int16(0).int16(0).build());
    }

    static byte[] describeStatement(String name) {
        return Bytes.message('D', Bytes.of().int8('S').cstring(name).build());
    }

    static byte[] describePortal() {
        return Bytes.message('D', Bytes.of().int8('P').cstring("").build());
    }

    static byte[] closeStatement(String name) {
        return Bytes.message('C', Bytes.of().int8('S').cstring(name).build());
    }

    static byte[] closePortal(String name) {
        return Bytes.message('C', Bytes.of().int8('P').cstring(name).build());
    }

    static byte[] execute() {
        return Bytes.message('E', Bytes.of().cstring("").int32(0).build());
    }

    static byte[] sync() {
        return Bytes.message('S', new byte[0]);
    }

    static byte[] query(String sql) {
        return Bytes.message('Q', Bytes.of().cstring(sql).build());
    }
}
