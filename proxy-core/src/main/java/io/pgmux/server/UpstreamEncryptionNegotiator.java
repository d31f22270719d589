package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.tls.ServerCertificateException;
import io.pgmux.tls.ServerTlsNegotiation;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import io.pgmux.tls.UpstreamTls;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The first step of a server connection, between the TCP connect and the StartupMessage, where the connection to
 * the database is secured before the login begins (protocol docs, "SSL Session Encryption"), for one attempt of
 * libpq's sslmode steps ({@link ServerTlsNegotiation}):
 * <ul>
 *   <li>a plaintext attempt ends the step at once;
 *   <li>otherwise pgmux sends SSLRequest and reads the one-byte answer: {@code S} puts an SslHandler in front and
 *       the login starts once its handshake succeeded; {@code N} goes on in plaintext where the attempt allows it
 *       (prefer), else fails it with libpq's words; anything else fails it.
 * </ul>
 * As libpq does since CVE-2021-23222, bytes behind the answer (which no TLS protected) fail the attempt. The TLS
 * context may still be in its build when {@code S} arrives (just after start, {@link
 * io.pgmux.tls.UpstreamTlsContexts}): the handshake then begins on this channel's event loop once it is built, and a
 * context that cannot be built fails the attempt, as it would fail with psql. A failure
 * goes down the pipeline as an {@link UpstreamTlsException}, which the {@link ServerHandler} turns into the next
 * attempt or a failed login.
 *
 * <p>Ending the step installs the message framer in this handler's place (the typed protocol starts only now: the
 * answer to SSLRequest is a single untyped byte) and passes the channel's activation on to the ServerHandler,
 * which starts the login with the StartupMessage.
 */
final class UpstreamEncryptionNegotiator extends ByteToMessageDecoder {
    static final String NAME = "encryption";
    static final String SSL_NAME = "tls";
    private static final int SSL_REQUEST_CODE = 80877103;

    private final int maxMessageSize;
    private final Attempt attempt;
    private final CompletableFuture<Optional<UpstreamTls>> tls;
    private final String host;
    private final int port;
    private Step step = Step.ASKED;

    /** Where the negotiation stands, once the SSLRequest (if any) is sent; moves forward only. */
    private enum Step {
        /** SSLRequest sent (or, for a plaintext attempt, nothing): the answer is next. */
        ASKED,
        /** {@code S} received; the context is still being built: the server waits for the ClientHello. */
        AWAITING_CONTEXT,
        /** The SslHandler stands in front and its handshake runs. */
        HANDSHAKE,
        /** The attempt failed before its handshake (and was reported): nothing more happens here. */
        FAILED
    }

    /** The one place the step changes; it only moves forward. */
    private void moveTo(Step next) {
        if (next.ordinal() <= step.ordinal()) {
            throw new IllegalStateException("encryption negotiation cannot go from " + step + " to " + next);
        }
        step = next;
    }

    /**
     * @param maxMessageSize the framer's limit once the login starts
     * @param attempt        this connection's step of the sslmode's attempts
     * @param tls            the database's TLS context, perhaps still being built; present unless the attempt is
     *                       plaintext ({@link io.pgmux.tls.UpstreamTlsContexts#ready})
     * @param host           the host connected to, for SNI and verify-full's name check
     */
    UpstreamEncryptionNegotiator(int maxMessageSize, Attempt attempt, CompletableFuture<Optional<UpstreamTls>> tls,
                                 String host, int port) {
        Optional<UpstreamTls> built = tls.isDone() && !tls.isCompletedExceptionally() ? tls.join() : null;
        if (attempt != Attempt.PLAIN && built != null && built.isEmpty()) {
            throw new IllegalArgumentException("a TLS attempt needs a TLS context");
        }
        this.maxMessageSize = maxMessageSize;
        this.attempt = attempt;
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (attempt == Attempt.PLAIN) {
            startLogin(ctx);
            return;
        }
        ByteBuf request = ctx.alloc().buffer(8);
        request.writeInt(8).writeInt(SSL_REQUEST_CODE);
        ctx.writeAndFlush(request, ctx.voidPromise());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (step == Step.HANDSHAKE) {
            // Plaintext that arrived after the answer but while the handshake runs cannot be here: SslHandler
            // stands in front and would have failed on it.
            return;
        }
        if (step == Step.FAILED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (step == Step.AWAITING_CONTEXT) {
            in.skipBytes(in.readableBytes());
            moveTo(Step.FAILED);
            throw new UpstreamTlsException(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "received unencrypted data after SSL response"), false);
        }
        byte answer = in.readByte();
        if (in.isReadable()) {
            in.skipBytes(in.readableBytes());
            throw new UpstreamTlsException(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "received unencrypted data after SSL response"), false);
        }
        switch (ServerTlsNegotiation.onResponse(attempt, answer)) {
            case START_TLS:
                startTls(ctx);
                return;
            case CONTINUE_PLAIN:
                startLogin(ctx);
                return;
            default:
                throw new UpstreamTlsException(ServerTlsNegotiation.refusalError(host + ":" + port, answer), false);
        }
    }

    private void startTls(ChannelHandlerContext ctx) {
        if (!tls.isDone()) {
            moveTo(Step.AWAITING_CONTEXT);
            // The builder completes the future; the rest runs on this channel's loop. (Should the loop have shut down
            // meanwhile, the task is refused and the channel is closed with it: nothing is left to tell.)
            tls.whenComplete((built, failure) -> ctx.executor().execute(() -> {
                if (step == Step.AWAITING_CONTEXT) {
                    contextBuilt(ctx);
                }
            }));
            return;
        }
        contextBuilt(ctx);
    }

    /** On the event loop, with the context's build finished, unless the connection went away meanwhile. */
    private void contextBuilt(ChannelHandlerContext ctx) {
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        UpstreamTls context;
        try {
            context = tls.join().orElseThrow();
        } catch (java.util.concurrent.CompletionException e) {
            moveTo(Step.FAILED);
            ctx.fireExceptionCaught(new UpstreamTlsException(PgError.fatal(
                    SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, "could not set up TLS for the server at "
                            + host + ":" + port + ": " + e.getCause().getMessage()), false));
            return;
        }
        moveTo(Step.HANDSHAKE);
        SslHandler ssl = context.newHandler(ctx.alloc(), host, port);
        ctx.pipeline().addBefore(ctx.name(), SSL_NAME, ssl);
        ssl.handshakeFuture().addListener(done -> {
            if (done.isSuccess()) {
                startLogin(ctx);
            } else if (ctx.channel().isActive() || done.cause() != null) {
                ctx.fireExceptionCaught(new UpstreamTlsException(handshakeFailure(done.cause()), true));
            }
        });
    }

    /**
     * What a failed handshake tells the pool and the waiting clients: a refused server certificate says which check
     * failed and what to set ({@link ServerCertificateException}); other failures (no common protocol, the server
     * hung up) carry the TLS stack's reason.
     */
    private PgError handshakeFailure(Throwable cause) {
        String address = host + ":" + port;
        return ServerCertificateException.in(cause)
                .map(refused -> PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        refused.message(address)).withDetail(refused.detail()).withHint(refused.hint()))
                .orElseGet(() -> PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        "SSL error with the server at " + address + ": "
                                + (cause == null ? "closed" : cause.getMessage())));
    }

    /**
     * While the handshake runs, the SslHandler reports its failure twice: as this exception and through its
     * handshake future. The future's report, which knows whether another attempt may follow, is the one passed on.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable root = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (root instanceof javax.net.ssl.SSLException && step == Step.HANDSHAKE) {
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    /** The transport is settled: frame the server's messages and let the login begin. */
    private void startLogin(ChannelHandlerContext ctx) {
        ctx.pipeline().replace(this, MessageFramer.NAME, new MessageFramer(maxMessageSize, ExpectedMessages.BACKEND));
        ctx.fireChannelActive();
    }
}
