package io.pgmux.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.pgmux.config.MetricsConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server on {@code metrics.host:port}, on an event loop of its own (the group given). A scrape formats
 * every series (milliseconds of CPU with many pools) and reads each pool's snapshot: on a loop of its own it
 * delays no client, and probes are answered even while the client loops are saturated.
 */
public final class HttpEndpoint implements AutoCloseable {
    /** Requests are a line and a few headers; anything larger is not a probe or a scrape. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** A connection that sends nothing for this long is closed, so idle ones do not pile up. */
    private static final int READ_TIMEOUT_SECONDS = 60;

    private final MetricsConfig config;
    private final EventLoopGroup loop;
    private final ChannelFactory<? extends ServerChannel> channels;
    private final EndpointHandler handler;
    private Channel listener;

    public HttpEndpoint(MetricsConfig config, EventLoopGroup loop, ChannelFactory<? extends ServerChannel> channels,
                        MetricsRegistry metrics, Readiness readiness) {
        this.config = config;
        this.loop = loop;
        this.channels = channels;
        this.handler = new EndpointHandler(metrics, readiness);
    }

    /** Binds; returns the bound address (useful with port 0). */
    public InetSocketAddress start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), handler);
                    }
                });
        listener = bootstrap.bind(config.host(), config.port()).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }
}
