package io.pgmux.metrics;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.config.ConfigLoader;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.server.ServerConnector;
import java.time.Duration;
import java.util.Map;

/** A pool manager over a configuration, which opens no connection unless a test asks a pool for a server. */
final class TestPools implements AutoCloseable {
    final PgmuxConfig config;
    final PoolManager pools;
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);

    TestPools(String yaml) {
        config = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        ServerConnector connector = new ServerConnector(NioSocketChannel::new, Duration.ofSeconds(1), 1 << 20,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        pools = new PoolManager(config, connector, loops);
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
