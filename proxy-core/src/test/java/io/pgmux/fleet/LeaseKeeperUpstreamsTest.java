package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which upstreams a keeper keeps leases at, as readiness asks it: never started, so it opens no connection. */
class LeaseKeeperUpstreamsTest {
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
    private final PgmuxConfig config = ConfigLoader.parse("""
            databases:
              app: {host: 127.0.0.1, port: 1, max_connections: 4}
              reports: {host: 127.0.0.2, port: 2}
              archive: {host: 127.0.0.1, port: 1}
            users:
              - {name: app_user, password: secret, tenant: web}
            tenants:
              web: {pool_size: 2}
            fleet: {enabled: true, name: keeper-test, instance_id: k1}
            """, "test.yaml", Map.of());
    private final PoolManager pools = new PoolManager(config, new ServerConnector(NioSocketChannel::new,
            Duration.ofSeconds(1), 1 << 20, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)), loops);
    private final LeaseKeeper keeper = new LeaseKeeper(config, pools.leasedBudgets(), pools.scramKeys());

    @AfterEach
    void close() {
        keeper.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void keepsLeasesAtEveryConfiguredDatabasesUpstreamAndNowhereElse() {
        assertTrue(keeper.keepsLeasesAt("127.0.0.1:1"), "app and archive's upstream");
        assertTrue(keeper.keepsLeasesAt("127.0.0.2:2"), "reports' upstream, though it has no cap of its own");
        assertFalse(keeper.keepsLeasesAt("127.0.0.1:2"), "another port of a known host");
        assertFalse(keeper.keepsLeasesAt("127.0.0.3:1"), "an upstream no database names");
    }

    @Test
    void anUpstreamWithoutAControlConnectionYetIsNotConnected() {
        assertFalse(keeper.isConnected("127.0.0.1:1"), "no round has run");
    }
}
