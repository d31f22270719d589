package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pgmux.codec.MessageFramer;
import io.pgmux.codec.MessageRouter;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin Netty adapter: hands a server channel's events and messages to its {@link ServerConnection}. Once the
 * login is done the framer hands it runs of answers and whole messages instead ({@link MessageRouter}), which it
 * passes to the connection's {@link ResponseRouter}; a violation found there fails the connection in one place.
 */
final class ServerHandler extends ChannelInboundHandlerAdapter implements MessageRouter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);

    private final ServerConnection server;
    /** Starts the next attempt of the sslmode's steps on a new connection; false when none is left. */
    private final BooleanSupplier nextAttempt;
    private PgError failure;
    private ChannelHandlerContext context;

    /** Where the login's key derivation runs (a worker executor, never an event loop). */
    private final Executor work;

    ServerHandler(ServerConnection server, Executor work) {
        this(server, work, () -> false);
    }

    ServerHandler(ServerConnection server, Executor work, BooleanSupplier nextAttempt) {
        this.server = server;
        this.work = work;
        this.nextAttempt = nextAttempt;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.channelActive(ctx.channel(), work, step -> handled(ctx, step));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        handled(ctx, () -> server.frameReceived((ByteBuf) msg));
    }

    /** Runs a message's handling, or a login step resumed after its key derivation, ending a failed login. */
    private void handled(ChannelHandlerContext ctx, Runnable step) {
        try {
            step.run();
        } catch (LoginFailedException e) {
            if (io.pgmux.tls.ServerTlsNegotiation.retriesAfterError(e.error().sqlState()) && tryNextAttempt(ctx)) {
                return;
            }
            server.loginFailed(e.error(), e.retryable());
        } catch (ProtocolException e) {
            fail(ctx, PgError.fatal(SqlState.PROTOCOL_VIOLATION, "the server broke the protocol: " + e.getMessage()));
        }
    }

    @Override
    public Route route(byte tag, int length) {
        return server.responses().route(tag, length);
    }

    @Override
    public void passed(ByteBuf buffer, int index) {
        try {
            server.responses().passed(buffer, index);
        } catch (ProtocolException e) {
            fail(context, PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "the server broke the protocol: " + e.getMessage()));
        }
    }

    @Override
    public void run(ByteBuf bytes) {
        server.responses().run(bytes);
    }

    @Override
    public void message(ByteBuf message) {
        try {
            server.responses().message(message);
        } catch (ProtocolException e) {
            fail(context, PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "the server broke the protocol: " + e.getMessage()));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        server.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        server.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        PgError reason = failure != null ? failure
                : PgError.fatal(SqlState.CONNECTION_FAILURE, "server connection to " + server.target().address()
                        + " closed unexpectedly");
        MessageFramer framer = ctx.pipeline().get(MessageFramer.class);
        server.channelClosed(reason, framer != null && framer.inMessage());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof UpstreamTlsException) {
            UpstreamTlsException tls = (UpstreamTlsException) root;
            if (tls.handshakeFailed() && tryNextAttempt(ctx)) {
                return;
            }
            log.info("server {}: {}", server.id(), tls.getMessage());
            if (failure == null) {
                failure = tls.error();
            }
            if (server.isLoggingIn()) {
                // Not a passing fault: the server's TLS setup or certificate will not change by trying again.
                server.loginFailed(tls.error(), false);
            }
            ctx.close();
            return;
        }
        if (root instanceof ProtocolException) {
            fail(ctx, PgError.fatal(SqlState.PROTOCOL_VIOLATION, "the server broke the protocol: " + root.getMessage()));
            return;
        }
        if (root instanceof java.io.IOException || root instanceof java.nio.channels.NotYetConnectedException) {
            // The socket failed (a write reaching it before its connect completed included): a failed connection,
            // which ends a login as a failed connect does, not an internal error.
            log.debug("server {}: {}", server.id(), root.toString());
        } else {
            log.warn("server {}: internal error, closing the connection", server.id(), root);
        }
        fail(ctx, PgError.fatal(SqlState.CONNECTION_FAILURE, "server connection to " + server.target().address()
                + " failed: " + SocketErrors.reason(root)));
    }

    /**
     * libpq's next attempt (sslmode prefer after a failed handshake or an access-rule refusal over TLS, allow
     * after one in plaintext): this connection is let go without the server noticing, and a new one starts.
     */
    private boolean tryNextAttempt(ChannelHandlerContext ctx) {
        if (!server.isLoggingIn() || !nextAttempt.getAsBoolean()) {
            return false;
        }
        log.debug("server {}: trying the next sslmode attempt", server.id());
        ctx.pipeline().remove(this);
        ctx.close();
        return true;
    }

    private void fail(ChannelHandlerContext ctx, PgError error) {
        if (failure == null) {
            failure = error;
        }
        if (server.isLoggingIn()) {
            server.loginFailed(error, true);
        }
        ctx.close();
    }
}
