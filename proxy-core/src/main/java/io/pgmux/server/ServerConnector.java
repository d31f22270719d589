package io.pgmux.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import java.time.Duration;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.pgmux.tls.ServerTlsNegotiation;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import io.pgmux.tls.UpstreamTls;
import io.pgmux.tls.UpstreamTlsContexts;

/** Opens TCP connections to PostgreSQL for the pools, on the event loop of the client that needs them. */
public final class ServerConnector {
    private final ChannelFactory<? extends Channel> channelFactory;
    private final int connectTimeoutMillis;
    private final int maxMessageSize;
    private final ChannelGroup channels;
    private final UpstreamTlsContexts tls;
    private final java.util.concurrent.Executor loginWork;

    /** @param channels every server channel joins it, so shutdown can close them all */
    public ServerConnector(ChannelFactory<? extends Channel> channelFactory, Duration connectTimeout,
                           int maxMessageSize, ChannelGroup channels) {
        this(channelFactory, connectTimeout, maxMessageSize, channels, new UpstreamTlsContexts());
    }

    /**
     * @param channels every server channel joins it, so shutdown can close them all
     * @param tls      the databases' TLS contexts, built at start or being built off the event loops
     */
    public ServerConnector(ChannelFactory<? extends Channel> channelFactory, Duration connectTimeout,
                           int maxMessageSize, ChannelGroup channels, UpstreamTlsContexts tls) {
        this(channelFactory, connectTimeout, maxMessageSize, channels, tls, io.pgmux.client.LoginWork.newExecutor());
    }

    /**
     * @param channels  every server channel joins it, so shutdown can close them all
     * @param tls       the databases' TLS contexts, built at start or being built off the event loops
     * @param loginWork where the logins' key derivations run, off the event loops ({@code LoginWork})
     */
    public ServerConnector(ChannelFactory<? extends Channel> channelFactory, Duration connectTimeout,
                           int maxMessageSize, ChannelGroup channels, UpstreamTlsContexts tls,
                           java.util.concurrent.Executor loginWork) {
        this.loginWork = loginWork;
        this.tls = tls;
        this.channels = channels;
        this.channelFactory = channelFactory;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Starts connecting; the server reports its progress to its {@link ServerEvents}. The connection takes libpq's
     * steps for the database's server_tls_sslmode: a second connection follows where the first attempt's failure
     * allows ({@link ServerTlsNegotiation}).
     */
    /** Where the logins' key derivations run, off the event loops. */
    java.util.concurrent.Executor loginWork() {
        return loginWork;
    }

    public void connect(ServerConnection server, EventLoop loop) {
        connect(server, loop, 0, System.nanoTime());
    }

    private void connect(ServerConnection server, EventLoop loop, int attemptIndex, long startedNanos) {
        CompletableFuture<Optional<UpstreamTls>> context = tls.ready(server.target().tls());
        List<Attempt> attempts = ServerTlsNegotiation.attempts(server.target().tls().sslmode());
        Attempt attempt = attempts.get(attemptIndex);
        BooleanSupplier next = () -> {
            if (attemptIndex + 1 >= attempts.size()) {
                return false;
            }
            connect(server, loop, attemptIndex + 1, startedNanos);
            return true;
        };
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
                                new UpstreamEncryptionNegotiator(maxMessageSize, attempt, context,
                                        server.target().host(), server.target().port()));
                        ch.pipeline().addLast("server", new ServerHandler(server, loginWork, next));
                    }
                });
        if (connectTimeoutMillis > 0) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
        }
        ChannelFuture future = bootstrap.connect(server.target().host(), server.target().port());
        future.addListener(f -> {
            if (f.isSuccess()) {
                limitLogin(server, future.channel(), startedNanos);
            } else {
                server.loginFailed(PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        SocketErrors.couldNotConnect(server.target().address(), f.cause())), true);
                server.channelClosed(null);
            }
        });
    }

    /**
     * Connects a connection of pgmux's own (not a pool's, e.g. the one auth_query runs on) to {@code target}
     * with the TLS step {@code attemptIndex} of its sslmode ({@link ServerTlsNegotiation#attempts}); the
     * connection gets the same encryption negotiator as a pool's and {@code handler} behind it, and joins the
     * channels that shutdown closes.
     */
    ChannelFuture connectOwn(UpstreamTarget target, EventLoop loop, int attemptIndex,
                             io.netty.channel.ChannelHandler handler) {
        CompletableFuture<Optional<UpstreamTls>> context = tls.ready(target.tls());
        Attempt attempt = ServerTlsNegotiation.attempts(target.tls().sslmode()).get(attemptIndex);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(UpstreamEncryptionNegotiator.NAME, new UpstreamEncryptionNegotiator(
                                maxMessageSize, attempt, context, target.host(), target.port()));
                        ch.pipeline().addLast("own", handler);
                    }
                });
        if (connectTimeoutMillis > 0) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
        }
        return bootstrap.connect(target.host(), target.port());
    }

    /** server_connect_timeout in milliseconds; 0 for none. */
    int connectTimeoutMillis() {
        return connectTimeoutMillis;
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

    /**
     * Sends a CancelRequest for {@code backendKey} to the server's address on a short-lived connection, and tells
     * {@code done} (on {@code loop}) what became of it. PostgreSQL answers a CancelRequest only by closing the
     * connection once it has signalled the backend; one that has not done so within server_connect_timeout (10 s
     * when that is 0) is closed by pgmux and reported {@link CancelOutcome#UNANSWERED}.
     */
    public void cancel(EventLoop loop, UpstreamTarget target, io.pgmux.protocol.backend.BackendKeyData backendKey,
                       Consumer<CancelOutcome> done) {
        cancel(loop, target.host(), target.port(), new io.pgmux.protocol.frontend.CancelRequest(
                backendKey.processId(), backendKey.secretKey()), done);
    }

    /**
     * Sends {@code request} to {@code host:port} as {@link #cancel(EventLoop, UpstreamTarget, io.pgmux.protocol
     * .backend.BackendKeyData, Consumer)} does; also how a cancel request for another pgmux of a peer group is
     * forwarded to it.
     */
    public void cancel(EventLoop loop, String host, int port, io.pgmux.protocol.frontend.CancelRequest request,
                       Consumer<CancelOutcome> done) {
        int timeoutMillis = connectTimeoutMillis > 0 ? connectTimeoutMillis : 10_000;
        new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInboundHandlerAdapter() {
                    // Nothing to read: the server answers a CancelRequest only by closing the connection. A reset
                    // is such an end too; it stops here rather than at the pipeline's tail.
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                })
                .connect(host, port)
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        done.accept(CancelOutcome.NOT_SENT);
                        return;
                    }
                    Channel ch = f.channel();
                    // What the connection's end will mean: NOT_SENT until the request is out (a write that fails,
                    // e.g. on a socket not connected after all or reset at once, ends it as a failed connect would).
                    CancelOutcome[] outcome = {CancelOutcome.NOT_SENT};
                    ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
                        if (outcome[0] == CancelOutcome.ANSWERED) {
                            outcome[0] = CancelOutcome.UNANSWERED;
                        }
                        ch.close();
                    }, timeoutMillis, TimeUnit.MILLISECONDS);
                    ch.closeFuture().addListener(closed -> {
                        timeout.cancel(false);
                        done.accept(outcome[0]);
                    });
                    ch.writeAndFlush(request.encode(ch.alloc())).addListener(written -> {
                        if (written.isSuccess()) {
                            outcome[0] = CancelOutcome.ANSWERED; // once the server closes the connection
                        } else {
                            ch.close();
                        }
                    });
                });
    }
}
