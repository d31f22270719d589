package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.backend.DataRow;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Execute;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.protocol.frontend.Sync;
import io.pgmux.protocol.frontend.Terminate;
import io.pgmux.tls.ServerTlsNegotiation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The server connection {@code auth_query} runs on (PgBouncer's auth_user connection): logged in as
 * {@code auth_user} to the lookup database like a pool's server (the sslmode's TLS steps, {@link ServerLogin}),
 * then one extended-protocol cycle per lookup, {@code Parse/Bind/Execute/Sync} with the user name as {@code $1}
 * (never pasted into the SQL text), pipelined: answers come back in order, one ReadyForQuery each.
 *
 * <p>Asynchronous and confined to one event loop; {@link #lookup} may be called from any thread. It connects when
 * the first lookup comes, and closes after {@code idleTimeout} without one (server_idle_timeout; never when 0).
 * A broken connection or a refused login fails the lookups it holds; the next lookup connects again. At most
 * {@value #MAX_OUTSTANDING} lookups wait at once; more are refused at once rather than queued without bound.
 */
public final class AuthQueryConnection {
    static final int MAX_OUTSTANDING = 1024;

    /** Where the connection is. Moves: DISCONNECTED to CONNECTING to READY, and back to DISCONNECTED on a close. */
    enum State { DISCONNECTED, CONNECTING, READY }

    /** A lookup: the user name and where its answer goes. */
    private static final class Request {
        final String user;
        final CompletableFuture<Optional<String>> answer;
        String password;
        boolean rowSeen;
        PgError error;

        Request(String user, CompletableFuture<Optional<String>> answer) {
            this.user = user;
            this.answer = answer;
        }
    }

    private final UpstreamTarget target;
    private final byte[] parseDefinition;
    private final EventLoop loop;
    private final ServerConnector connector;
    private final long idleNanos;
    private final ArrayDeque<Request> unsent = new ArrayDeque<>();
    private final ArrayDeque<Request> sent = new ArrayDeque<>();
    private State state = State.DISCONNECTED;
    private Channel channel;
    private ScheduledFuture<?> idleClose;

    /**
     * @param target      where and as whom (auth_user) to log in
     * @param query       auth_query, with {@code $1} for the user name
     * @param loop        the event loop the connection lives on
     * @param idleTimeout how long the connection stays open without a lookup; zero keeps it
     */
    public AuthQueryConnection(UpstreamTarget target, String query, EventLoop loop, ServerConnector connector,
                               Duration idleTimeout) {
        this.target = target;
        this.loop = loop;
        this.connector = connector;
        this.idleNanos = idleTimeout.toNanos();
        this.parseDefinition = parseDefinition(query);
    }

    /** The query text, its NUL, and one parameter of unspecified type, which PostgreSQL infers from the query. */
    private static byte[] parseDefinition(String query) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(query.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0});
        return out.toByteArray();
    }

    /**
     * Runs auth_query for {@code user}.
     *
     * @return the second column of the first row (PgBouncer's {@code (usename, passwd)} convention), empty for no
     *     row or a NULL password; completed exceptionally with a {@link LoginFailedException} when the server
     *     refused the login or the query, or an {@link IOException} when the connection failed
     */
    public CompletableFuture<Optional<String>> lookup(String user) {
        CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
        try {
            loop.execute(() -> enqueue(new Request(user, answer)));
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new IOException("pgmux is shutting down", e));
        }
        return answer;
    }

    /** The connection's state now; for tests, on the loop. */
    State state() {
        return state;
    }

    private void enqueue(Request request) {
        if (unsent.size() + sent.size() >= MAX_OUTSTANDING) {
            request.answer.completeExceptionally(new IOException("too many auth_query lookups waiting for "
                    + target.address()));
            return;
        }
        cancelIdleClose();
        unsent.add(request);
        switch (state) {
            case DISCONNECTED:
                connect(0);
                break;
            case READY:
                sendUnsent();
                break;
            default:
                break; // sent once logged in
        }
    }

    private void connect(int attemptIndex) {
        state = State.CONNECTING;
        Handler handler = new Handler(attemptIndex);
        ChannelFuture connecting = connector.connectOwn(target, loop, attemptIndex, handler);
        channel = connecting.channel();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                handler.failed(new IOException(SocketErrors.couldNotConnect(target.address(), f.cause()), f.cause()));
                return;
            }
            int timeout = connector.connectTimeoutMillis();
            if (timeout > 0) {
                Channel connected = connecting.channel();
                loop.schedule(() -> {
                    if (channel == connected && state == State.CONNECTING) {
                        handler.failed(new IOException("the database at " + target.address() + " did not complete"
                                + " the login of auth_user within server_connect_timeout (" + timeout + " ms)"));
                    }
                }, timeout, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void sendUnsent() {
        if (unsent.isEmpty()) {
            return;
        }
        for (Request each = unsent.poll(); each != null; each = unsent.poll()) {
            channel.write(Parse.encode(channel.alloc(), "", parseDefinition), channel.voidPromise());
            channel.write(Bind.encodeText(channel.alloc(), "", "", List.of(each.user)), channel.voidPromise());
            channel.write(Execute.encode(channel.alloc(), "", 0), channel.voidPromise());
            channel.write(Sync.encode(channel.alloc()), channel.voidPromise());
            sent.add(each);
        }
        channel.flush();
    }

    /** After a ReadyForQuery: the head lookup is answered. */
    private void answered() {
        Request done = sent.poll();
        if (done == null) {
            throw new ProtocolException("ReadyForQuery with no auth_query outstanding");
        }
        if (done.error != null) {
            done.answer.completeExceptionally(new LoginFailedException(done.error, false));
        } else {
            done.answer.complete(Optional.ofNullable(done.password).filter(p -> !p.isEmpty()));
        }
        if (sent.isEmpty() && unsent.isEmpty() && idleNanos > 0) {
            Channel idle = channel;
            idleClose = loop.schedule(() -> {
                if (channel == idle && sent.isEmpty() && unsent.isEmpty()) {
                    idle.writeAndFlush(Terminate.encode(idle.alloc())).addListener(f -> idle.close());
                }
            }, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleClose() {
        if (idleClose != null) {
            idleClose.cancel(false);
            idleClose = null;
        }
    }

    private void row(ByteBuf body) {
        Request head = sent.peek();
        if (head == null) {
            throw new ProtocolException("DataRow with no auth_query outstanding");
        }
        if (head.rowSeen) {
            return; // a role has one row; a query that returns more is answered by its first, as PgBouncer does
        }
        head.rowSeen = true;
        List<String> values = DataRow.decode(body).values();
        if (values.size() < 2) {
            head.error = PgError.fatal(io.pgmux.protocol.SqlState.INTERNAL_ERROR, "auth_query returned "
                    + values.size() + " column(s); it must return (usename, passwd)");
            return;
        }
        head.password = values.get(1);
    }

    /** The connection of one attempt: its login, then the lookups' answers. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private final int attemptIndex;
        private ServerLogin login;
        private boolean over;

        Handler(int attemptIndex) {
            this.attemptIndex = attemptIndex;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            login = new ServerLogin(target, io.pgmux.tls.ServerEndPoint.ofPeer(ctx.channel()),
                    connector.loginWork(), ctx.channel(), step -> {
                        if (login != null) {
                            handled(ctx, () -> loginStep(step));
                        }
                    });
            ctx.writeAndFlush(login.startupMessage(ctx.alloc()), ctx.voidPromise());
            ctx.fireChannelActive();
        }

        /** One step of the login: a backend message handled, or the answer of a key derivation sent. */
        private void loginStep(java.util.function.BooleanSupplier step) {
            if (step.getAsBoolean()) {
                login = null;
                state = State.READY;
                sendUnsent();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                handled(ctx, () -> read(ctx, frame));
            } finally {
                frame.release();
            }
        }

        /** Runs a message's handling, or a login step resumed after its key derivation, ending a failed login. */
        private void handled(ChannelHandlerContext ctx, Runnable step) {
            try {
                step.run();
            } catch (LoginFailedException e) {
                if (login != null && ServerTlsNegotiation.retriesAfterError(e.error().sqlState()) && next(ctx)) {
                    return;
                }
                failed(e);
            } catch (RuntimeException e) {
                failed(e);
            }
        }

        private void read(ChannelHandlerContext ctx, ByteBuf frame) {
            if (login != null) {
                ServerLogin current = login;
                loginStep(() -> current.handle(frame, ctx.alloc(),
                        out -> ctx.writeAndFlush(out, ctx.voidPromise())));
                return;
            }
            byte tag = frame.readByte();
            frame.skipBytes(4);
            switch (tag) {
                case BackendTag.DATA_ROW:
                    row(frame);
                    break;
                case BackendTag.ERROR_RESPONSE:
                    PgError error = ErrorResponse.decode(frame);
                    Request head = sent.peek();
                    if (head == null || PgError.FATAL.equals(error.severity())) {
                        throw new LoginFailedException(error, false);
                    }
                    head.error = error;
                    break;
                case BackendTag.READY_FOR_QUERY:
                    answered();
                    break;
                default:
                    break; // ParseComplete, BindComplete, CommandComplete, notices, parameter changes
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (root instanceof UpstreamTlsException && ((UpstreamTlsException) root).handshakeFailed()
                    && login != null && next(ctx)) {
                return;
            }
            failed(root instanceof UpstreamTlsException
                    ? new LoginFailedException(((UpstreamTlsException) root).error(), false) : root);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failed(new IOException("the connection of auth_user to " + target.address() + " closed"));
        }

        /** libpq's next sslmode step on a new connection, as a pool's server takes it. */
        private boolean next(ChannelHandlerContext ctx) {
            int attempts = ServerTlsNegotiation.attempts(target.tls().sslmode()).size();
            if (attemptIndex + 1 >= attempts) {
                return false;
            }
            over = true;
            ctx.close();
            connect(attemptIndex + 1);
            return true;
        }

        /** This connection is done: every lookup it holds, and those waiting for it, fail with {@code cause}. */
        void failed(Throwable cause) {
            if (over) {
                return;
            }
            over = true;
            if (channel != null) {
                channel.close();
            }
            channel = null;
            state = State.DISCONNECTED;
            cancelIdleClose();
            failAll(sent, cause);
            failAll(unsent, cause);
        }
    }

    private static void failAll(ArrayDeque<Request> requests, Throwable cause) {
        for (Request each = requests.poll(); each != null; each = requests.poll()) {
            each.answer.completeExceptionally(cause);
        }
    }
}
