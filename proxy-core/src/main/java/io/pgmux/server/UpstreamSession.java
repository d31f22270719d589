package io.pgmux.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A long-lived connection to PostgreSQL for pgmux's own short queries, used by one thread that may block: logged
 * in as a pool's connection is (the sslmode's TLS steps, the framer, {@link ServerLogin}), its I/O on an event
 * loop of {@code group} that serves no client. One simple Query at a time; {@link #query} waits for its rows.
 * The fleet's control connections are these: the session-level advisory locks they hold live exactly as long as
 * the session does.
 */
public final class UpstreamSession implements AutoCloseable {
    private static final int MAX_FRAME = 1 << 20;

    private final UpstreamTarget target;
    private final Channel channel;
    private final SessionHandler handler;
    private final long timeoutMillis;

    private UpstreamSession(UpstreamTarget target, Channel channel, SessionHandler handler, long timeoutMillis) {
        this.target = target;
        this.channel = channel;
        this.handler = handler;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Connects and logs in, trying the sslmode's steps in order as a pool's connection does. Blocks.
     *
     * @param timeout for the connect, the login and each later query (0: 10 s)
     * @throws IOException          when the server cannot be reached, the connection breaks or TLS fails
     * @throws LoginFailedException when the server refuses the login
     */
    public static UpstreamSession open(UpstreamTarget target, Duration timeout, UpstreamTlsContexts tls,
                                       EventLoopGroup group, java.util.concurrent.Executor loginWork)
            throws IOException {
        long millis = timeout.isZero() ? 10_000 : timeout.toMillis();
        Optional<UpstreamTls> context = tls.forConfig(target.tls());
        return BlockingAttempts.inTurn(ServerTlsNegotiation.attempts(target.tls().sslmode()),
                attempt -> attempt(target, group, attempt, context, millis, loginWork));
    }

    private static UpstreamSession attempt(UpstreamTarget target, EventLoopGroup group, Attempt attempt,
                                           Optional<UpstreamTls> context, long millis,
                                           java.util.concurrent.Executor loginWork) throws IOException {
        SessionHandler handler = new SessionHandler(target, loginWork);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(NioSocketChannel::new)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, millis))
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(UpstreamEncryptionNegotiator.NAME, new UpstreamEncryptionNegotiator(
                                MAX_FRAME, attempt, CompletableFuture.completedFuture(context), target.host(), target.port()));
                        ch.pipeline().addLast("session", handler);
                    }
                });
        Channel channel;
        try {
            channel = bootstrap.connect(target.host(), target.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + target.address(), e);
        } catch (Exception e) {
            // connect().sync() rethrows a failed connect (ConnectException) without declaring it
            throw new IOException(SocketErrors.couldNotConnect(target.address(), e), e);
        }
        UpstreamSession session = new UpstreamSession(target, channel, handler, millis);
        try {
            session.await(handler.loggedIn);
            return session;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Runs one simple Query and returns the rows of its last result, in text (a NULL column is null). Blocks; call
     * it from one thread at a time.
     *
     * @throws LoginFailedException (not retryable) carrying the ErrorResponse when the server refuses the query
     * @throws IOException          when the connection is gone or no answer came in time (the connection is then
     *                              closed: its state is unknown)
     */
    public List<List<String>> query(String sql) throws IOException {
        if (!channel.isActive()) {
            throw new IOException("the connection to " + target.address() + " is closed");
        }
        CompletableFuture<List<List<String>>> answer = handler.expect();
        if (!channel.isActive()) {
            // Closed between the two looks: the handler may have failed nothing, so do not wait for it.
            throw new IOException("the connection to " + target.address() + " is closed");
        }
        // A write that fails reaches the handler's exceptionCaught, which fails the answer and closes.
        channel.writeAndFlush(Query.encode(channel.alloc(), sql), channel.voidPromise());
        try {
            return await(answer);
        } catch (SocketTimeoutException e) {
            channel.close();
            throw e;
        }
    }

    private <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + target.address(), e);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no answer from " + target.address() + " within " + timeoutMillis
                    + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause);
        }
    }

    /** Whether the connection is still up, as far as this side knows. */
    public boolean isOpen() {
        return channel.isActive();
    }

    /** Ends the session politely (Terminate), which also releases its session-level locks. */
    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(Terminate.encode(channel.alloc())).addListener(f -> channel.close());
        }
    }

    /** Drops the socket without a word, as a crashed process would; the server ends the session when it notices. */
    public void abort() {
        channel.close();
    }

    public UpstreamTarget target() {
        return target;
    }

    /** Logs in, then collects each Query's rows up to ReadyForQuery. */
    private static final class SessionHandler extends ChannelInboundHandlerAdapter {
        private final UpstreamTarget target;
        private final java.util.concurrent.Executor work;
        final CompletableFuture<Void> loggedIn = new CompletableFuture<>();
        private ServerLogin login;
        private volatile CompletableFuture<List<List<String>>> pending;
        private List<List<String>> rows = new ArrayList<>();
        private PgError error;

        SessionHandler(UpstreamTarget target, java.util.concurrent.Executor work) {
            this.target = target;
            this.work = work;
        }

        CompletableFuture<List<List<String>>> expect() {
            CompletableFuture<List<List<String>>> next = new CompletableFuture<>();
            pending = next;
            return next;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            login = new ServerLogin(target, Optional.empty(), work, ctx.channel(), step -> {
                if (login == null) {
                    return;
                }
                try {
                    loginStep(step);
                } catch (RuntimeException e) {
                    fail(e);
                    ctx.close();
                }
            });
            ctx.writeAndFlush(login.startupMessage(ctx.alloc()), ctx.voidPromise()); // a failure: exceptionCaught
        }

        /** One step of the login: a backend message handled, or the answer of a key derivation sent. */
        private void loginStep(java.util.function.BooleanSupplier step) {
            if (step.getAsBoolean()) {
                login = null;
                loggedIn.complete(null);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (login != null) {
                    ServerLogin current = login;
                    loginStep(() -> current.handle(frame, ctx.alloc(),
                            out -> ctx.writeAndFlush(out, ctx.voidPromise())));
                    return;
                }
                byte tag = frame.readByte();
                frame.skipBytes(4);
                switch (tag) {
                    case BackendTag.ROW_DESCRIPTION:
                        rows = new ArrayList<>();
                        break;
                    case BackendTag.DATA_ROW:
                        rows.add(DataRow.decode(frame).values());
                        break;
                    case BackendTag.ERROR_RESPONSE:
                        error = ErrorResponse.decode(frame);
                        if (error.isFatal()) {
                            fail(new LoginFailedException(error, false));
                            ctx.close();
                        }
                        break;
                    case BackendTag.READY_FOR_QUERY:
                        CompletableFuture<List<List<String>>> done = pending;
                        pending = null;
                        List<List<String>> result = rows;
                        PgError failed = error;
                        rows = new ArrayList<>();
                        error = null;
                        if (done != null) {
                            if (failed != null) {
                                done.completeExceptionally(new LoginFailedException(failed, false));
                            } else {
                                done.complete(result);
                            }
                        }
                        break;
                    default:
                        break; // CommandComplete, notices, parameter changes
                }
            } catch (RuntimeException e) {
                fail(e);
                ctx.close();
            } finally {
                frame.release();
            }
        }

        private void fail(Throwable cause) {
            loggedIn.completeExceptionally(cause);
            CompletableFuture<List<List<String>>> waiting = pending;
            if (waiting != null) {
                waiting.completeExceptionally(cause);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IOException("the server at " + target.address() + " closed the connection"));
        }
    }
}
