package io.pgmux.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Opens TCP connections to PostgreSQL for the pools, on the event loop of the client that needs them. */
public final class ServerConnector {
    private final ChannelFactory<? extends Channel> channelFactory;
    private final int connectTimeoutMillis;
    private final int maxMessageSize;
    private final ChannelGroup channels;

    /** @param channels every server channel joins it, so shutdown can close them all */
    public ServerConnector(ChannelFactory<? extends Channel> channelFactory, Duration connectTimeout,
                           int maxMessageSize, ChannelGroup channels) {
        this.channels = channels;
        this.channelFactory = channelFactory;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.maxMessageSize = maxMessageSize;
    }

    /** Starts connecting; the server reports its progress to its {@link ServerEvents}. */
    public void connect(ServerConnection server, EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        server.attachChannel(ch);
                        channels.add(ch);
                        // The framer comes once the transport is settled: TLS would be negotiated first.
                        ch.pipeline().addLast(UpstreamEncryptionNegotiator.NAME,
                                new UpstreamEncryptionNegotiator(maxMessageSize));
                        ch.pipeline().addLast("server", new ServerHandler(server));
                    }
                });
        if (connectTimeoutMillis > 0) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
        }
        long startedNanos = System.nanoTime();
        ChannelFuture future = bootstrap.connect(server.target().host(), server.target().port());
        future.addListener(f -> {
            if (f.isSuccess()) {
                limitLogin(server, future.channel(), startedNanos);
            } else {
                Throwable cause = f.cause();
                String why = cause == null ? "unknown reason" : cause.getMessage();
                server.loginFailed(PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        "could not connect to the database at " + server.target().address() + ": " + why), true);
                server.channelClosed(null);
            }
        });
    }

    /**
     * server_connect_timeout covers the login too: a database that accepts the connection but never finishes the
     * login (overloaded, stuck in recovery, a half-dead host) must not hold a slot of the pool forever.
     */
    private void limitLogin(ServerConnection server, Channel channel, long startedNanos) {
        if (connectTimeoutMillis <= 0) {
            return;
        }
        long remaining = TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis) - (System.nanoTime() - startedNanos);
        channel.eventLoop().schedule(() -> server.loginTimedOut(connectTimeoutMillis), Math.max(0, remaining),
                TimeUnit.NANOSECONDS);
    }

    /** Sends a CancelRequest for {@code backendKey} to the server's address on a short-lived connection. */
    public void cancel(EventLoop loop, UpstreamTarget target, io.pgmux.protocol.backend.BackendKeyData backendKey) {
        new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis > 0 ? connectTimeoutMillis : 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // The server answers a CancelRequest only by closing the connection.
                    }
                })
                .connect(target.host(), target.port())
                .addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        Channel ch = f.channel();
                        ch.writeAndFlush(new io.pgmux.protocol.frontend.CancelRequest(backendKey.processId(),
                                backendKey.secretKey()).encode(ch.alloc()));
                    }
                });
    }
}
