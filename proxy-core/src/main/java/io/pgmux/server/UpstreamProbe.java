package io.pgmux.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.Terminate;
import io.pgmux.tls.ServerTlsNegotiation;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import io.pgmux.tls.UpstreamTls;
import io.pgmux.tls.UpstreamTlsContexts;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a PostgreSQL server for its connection slots over one short-lived connection, logged in as a pool would:
 * the same pipeline as a pool's server connection (the sslmode's TLS steps, the framer, {@link ServerLogin}), on an
 * event loop of its own. {@link #read} blocks until the answer: used at start (on a thread of its own, never an
 * event loop) and by {@code check-config --upstream}.
 */
public final class UpstreamProbe {
    private static final String LIMITS_QUERY = "select current_setting('max_connections'),"
            + " current_setting('superuser_reserved_connections'),"
            + " coalesce(current_setting('reserved_connections', true), '0'),"
            + " (select count(*) from pg_stat_activity"
            + "   where backend_type = 'client backend' and pid <> pg_backend_pid())";
    private static final int MAX_FRAME = 1 << 20;

    private final UpstreamTarget target;
    private final Duration timeout;
    private final UpstreamTlsContexts tls;
    /** Where the login derives SCRAM keys, off the event loop. */
    private final java.util.concurrent.Executor loginWork = io.pgmux.client.LoginWork.newExecutor();

    public UpstreamProbe(UpstreamTarget target, Duration timeout) {
        this(target, timeout, new UpstreamTlsContexts());
    }

    /** @param tls where the target's TLS context comes from (waited for, or built on this thread, when not ready) */
    public UpstreamProbe(UpstreamTarget target, Duration timeout, UpstreamTlsContexts tls) {
        this.target = target;
        this.timeout = timeout.isZero() ? Duration.ofSeconds(10) : timeout;
        this.tls = tls;
    }

    /**
     * @throws IOException          when the server cannot be reached, the connection breaks or TLS fails
     * @throws LoginFailedException when the server refuses the login or the query
     */
    public UpstreamSlots read() throws IOException {
        Optional<UpstreamTls> context = tls.forConfig(target.tls());
        List<Attempt> attempts = ServerTlsNegotiation.attempts(target.tls().sslmode());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pgmux-probe", true),
                NioIoHandler.newFactory());
        try {
            return BlockingAttempts.inTurn(attempts, attempt -> attempt(group, attempt, context));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * The error behind a failure of {@link #read}, with its hint of what to change if it has one: the server's refusal
     * or the TLS step's; empty for a connection that could not be made or broke (the failure's message says why).
     */
    public static Optional<PgError> errorOf(Throwable failure) {
        for (Throwable each = failure; each != null; each = each.getCause()) {
            if (each instanceof LoginFailedException) {
                return Optional.of(((LoginFailedException) each).error());
            }
            if (each instanceof UpstreamTlsException) {
                return Optional.of(((UpstreamTlsException) each).error());
            }
        }
        return Optional.empty();
    }

    private UpstreamSlots attempt(EventLoopGroup group, Attempt attempt, Optional<UpstreamTls> context)
            throws IOException {
        CompletableFuture<UpstreamSlots> result = new CompletableFuture<>();
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(NioSocketChannel::new)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(UpstreamEncryptionNegotiator.NAME, new UpstreamEncryptionNegotiator(
                                MAX_FRAME, attempt, CompletableFuture.completedFuture(context), target.host(), target.port()));
                        ch.pipeline().addLast("probe", new ProbeHandler(result));
                    }
                });
        Channel channel = null;
        try {
            channel = bootstrap.connect(target.host(), target.port()).sync().channel();
            return result.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + target.address(), e);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no answer from " + target.address() + " within " + millis + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause);
        } catch (Exception e) {
            // connect().sync() rethrows a failed connect (ConnectException) without declaring it
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IOException(SocketErrors.couldNotConnect(target.address(), e), e);
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** Logs in, asks for the limits, reads the answer, leaves. */
    private final class ProbeHandler extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<UpstreamSlots> result;
        private ServerLogin login;
        private UpstreamSlots slots;

        ProbeHandler(CompletableFuture<UpstreamSlots> result) {
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            login = new ServerLogin(target, io.pgmux.tls.ServerEndPoint.ofPeer(ctx.channel()), loginWork,
                    ctx.channel(), step -> {
                        if (login == null) {
                            return;
                        }
                        try {
                            loginStep(ctx, step);
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                            ctx.close();
                        }
                    });
            ctx.writeAndFlush(login.startupMessage(ctx.alloc()), ctx.voidPromise()); // a failure: exceptionCaught
        }

        /** One step of the login: a backend message handled, or the answer of a key derivation sent. */
        private void loginStep(ChannelHandlerContext ctx, java.util.function.BooleanSupplier step) {
            if (step.getAsBoolean()) {
                login = null;
                ctx.writeAndFlush(Query.encode(ctx.alloc(), LIMITS_QUERY), ctx.voidPromise());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (login != null) {
                    ServerLogin current = login;
                    loginStep(ctx, () -> current.handle(frame, ctx.alloc(),
                            out -> ctx.writeAndFlush(out, ctx.voidPromise())));
                    return;
                }
                byte tag = frame.readByte();
                frame.skipBytes(4);
                switch (tag) {
                    case BackendTag.DATA_ROW:
                        List<String> row = DataRow.decode(frame).values();
                        slots = new UpstreamSlots(Integer.parseInt(row.get(0)), Integer.parseInt(row.get(1)),
                                Integer.parseInt(row.get(2)), Integer.parseInt(row.get(3)));
                        break;
                    case BackendTag.ERROR_RESPONSE:
                        PgError error = ErrorResponse.decode(frame);
                        throw new LoginFailedException(error, false);
                    case BackendTag.READY_FOR_QUERY:
                        if (slots == null) {
                            throw new ProtocolException("the upstream answered its limits with no row");
                        }
                        result.complete(slots);
                        ctx.writeAndFlush(Terminate.encode(ctx.alloc())).addListener(f -> ctx.close());
                        break;
                    default:
                        break; // RowDescription, CommandComplete, notices, parameter changes
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                ctx.close();
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause instanceof DecoderException && cause.getCause() != null
                    ? cause.getCause() : cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("the server at " + target.address()
                    + " closed the connection"));
        }
    }
}
