package io.pgmux.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.client.ClientChannelInitializer;
import io.pgmux.client.ClientServices;
import io.pgmux.config.PgmuxConfig;
import io.pgmux.pool.PoolManager;
import io.pgmux.server.ServerConnector;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pgmux: one group of event loops (one per core unless {@code workers} says otherwise) that accepts
 * clients, serves them and talks to the databases; the pool manager; and the periodic maintenance.
 */
public final class PgmuxServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgmuxServer.class);

    private final PgmuxConfig config;
    private final Transport transport;
    private final EventLoopGroup loops;
    private final int workers;
    private final PoolManager pools;
    private final ClientServices services;
    private final ChannelGroup channels = new DefaultChannelGroup("pgmux", GlobalEventExecutor.INSTANCE);
    private Channel listener;
    private ScheduledFuture<?> maintenance;
    private ScheduledFuture<?> waiterCheck;

    public PgmuxServer(PgmuxConfig config) {
        this.config = config;
        this.transport = Transport.detect();
        this.workers = config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
        this.loops = transport.newGroup(workers, "pgmux-io");
        ServerConnector connector = new ServerConnector(transport.clientChannels(),
                config.timeouts().serverConnectTimeout(), config.maxMessageSize(), channels);
        this.pools = new PoolManager(config, connector, loops);
        this.services = new ClientServices(config, pools, connector, channels);
    }

    /** Binds the listener and starts maintenance; returns the bound address (useful with port 0). */
    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channelFactory(transport.serverChannels())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ClientChannelInitializer(services));
        listener = bootstrap.bind(config.listen().host(), config.listen().port()).sync().channel();
        maintenance = loops.next().scheduleAtFixedRate(this::maintain, 1, 1, TimeUnit.SECONDS);
        // Frequent and cheap: the reserve pool and the wait timeouts are due within a tenth of a second.
        waiterCheck = loops.next().scheduleAtFixedRate(this::checkWaiters, 100, 100, TimeUnit.MILLISECONDS);
        InetSocketAddress address = (InetSocketAddress) listener.localAddress();
        log.info("pgmux listening on {}:{} ({} transport, {} event loops, pool_mode {})", address.getHostString(),
                address.getPort(), transport.name(), workers, config.poolMode().configName());
        return address;
    }

    private void checkWaiters() {
        try {
            pools.serveLongWaiters();
            pools.checkWaits();
        } catch (RuntimeException e) {
            log.warn("checking waiting clients failed", e);
        }
    }

    private void maintain() {
        try {
            pools.closeExpiredIdleServers();
            pools.openMinimumConnections();
            services.checkClientTimeouts();
        } catch (RuntimeException e) {
            log.warn("maintenance failed", e);
        }
    }

    /**
     * Compares the configured budgets with each upstream's connection slots, on a thread of its own (it blocks on
     * the network), and logs the outcome: the budget table, as a warning when the budgets do not fit.
     */
    public void checkUpstreamsInBackground() {
        Thread check = new Thread(() -> {
            for (UpstreamCheck.Result each : new UpstreamCheck(config).run()) {
                if (each.fits()) {
                    log.info("connection budgets fit upstream {}:\n{}", each.address(), each.report());
                } else {
                    log.warn("connection budgets checked against upstream {}:\n{}", each.address(), each.report());
                }
            }
        }, "pgmux-upstream-check");
        check.setDaemon(true);
        check.start();
    }

    public PoolManager pools() {
        return pools;
    }

    public ClientServices services() {
        return services;
    }

    public void awaitClose() throws InterruptedException {
        listener.closeFuture().sync();
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.cancel(false);
            waiterCheck.cancel(false);
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        pools.closeAll();
        // Every client and server socket, whatever its state: nothing may outlive the event loops.
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
