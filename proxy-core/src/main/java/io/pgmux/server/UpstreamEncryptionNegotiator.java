package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.tls.ServerTlsNegotiation;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import io.pgmux.tls.UpstreamTls;
import java.util.List;
import java.util.Optional;

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
 * As libpq does since CVE-2021-23222, bytes behind the answer (which no TLS protected) fail the attempt. A failure
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
    private final Optional<UpstreamTls> tls;
    private final String host;
    private final int port;

    /**
     * @param maxMessageSize the framer's limit once the login starts
     * @param attempt        this connection's step of the sslmode's attempts
     * @param tls            the database's TLS context; present unless the attempt is plaintext
     * @param host           the host connected to, for SNI and verify-full's name check
     */
    UpstreamEncryptionNegotiator(int maxMessageSize, Attempt attempt, Optional<UpstreamTls> tls, String host,
                                 int port) {
        if (attempt != Attempt.PLAIN && tls.isEmpty()) {
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
        if (ctx.pipeline().get(SslHandler.class) != null) {
            // Plaintext that arrived after the answer but while the handshake runs cannot be here: SslHandler
            // stands in front and would have failed on it.
            return;
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
                throw new UpstreamTlsException(PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        "server at " + host + ":" + port + ": " + ServerTlsNegotiation.refusal(answer)), false);
        }
    }

    private void startTls(ChannelHandlerContext ctx) {
        SslHandler ssl = tls.orElseThrow().newHandler(ctx.alloc(), host, port);
        ctx.pipeline().addBefore(ctx.name(), SSL_NAME, ssl);
        ssl.handshakeFuture().addListener(done -> {
            if (done.isSuccess()) {
                startLogin(ctx);
            } else if (ctx.channel().isActive() || done.cause() != null) {
                Throwable cause = done.cause();
                String why = cause == null ? "closed" : cause.getMessage();
                ctx.fireExceptionCaught(new UpstreamTlsException(PgError.fatal(
                        SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                        "SSL error with the server at " + host + ":" + port + ": " + why), true));
            }
        });
    }

    /**
     * While the handshake runs, the SslHandler reports its failure twice: as this exception and through its
     * handshake future. The future's report, which knows whether another attempt may follow, is the one passed on.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable root = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (root instanceof javax.net.ssl.SSLException && ctx.pipeline().get(SslHandler.class) != null) {
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
