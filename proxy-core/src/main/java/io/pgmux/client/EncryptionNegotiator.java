package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.frontend.GSSENCRequest;
import io.pgmux.protocol.frontend.SSLRequest;
import io.pgmux.protocol.frontend.StartupPackets;
import io.pgmux.tls.ClientTls;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The first handler of a client's pipeline: answers the client's SSLRequest and GSSENCRequest (protocol docs,
 * "SSL Session Encryption" and "GSSAPI Session Encryption"), then removes itself as soon as another packet
 * begins and hands its bytes to the startup decoder behind it.
 *
 * <p>With client TLS configured, an SSLRequest is answered {@code 'S'} and an SslHandler takes this handler's
 * place; a negotiator for the encrypted connection follows it, for which both requests count as made (as in
 * PostgreSQL, a request inside TLS is a repeated one). Without client TLS the answer is {@code 'N'} and the
 * client goes on in plaintext. A GSSENCRequest is always declined: pgmux has no GSSAPI.
 *
 * <p>PostgreSQL 17's direct TLS: a connection whose first byte is a TLS handshake record (0x16) gets the
 * SslHandler at once, with the bytes already read; it must then have negotiated ALPN {@code postgresql}, else it
 * is refused as PostgreSQL 17 refuses it. Without client TLS such a connection is refused by the startup decoder
 * (its first four bytes read as an impossible packet length).
 *
 * <p>As PostgreSQL does since CVE-2021-23214: bytes that arrived behind a request, before its answer, were not
 * protected by whatever the answer sets up and may have been injected by a man in the middle, so they are
 * refused (FATAL 08P01, "received unencrypted data after SSL request") after the answer, and the connection
 * closes. Each request may be made once, an SSLRequest and a GSSENCRequest in either order; a repeated one gets
 * PostgreSQL's answer to a packet whose code reads as protocol 1234.5679 (FATAL 0A000).
 */
final class EncryptionNegotiator extends ByteToMessageDecoder {
    static final String NAME = "encryption";
    private static final ByteBuf DECLINED = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'N'}));
    private static final ByteBuf ACCEPTED = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'S'}));
    private static final int REQUEST_LENGTH = 8;
    /** The content type of a TLS handshake record, the first byte of a ClientHello (RFC 8446, section 5.1). */
    private static final byte TLS_HANDSHAKE = 0x16;
    static final String SSL_NAME = "tls";
    private static final String ALPN_POSTGRESQL = "postgresql";

    /** The two requests, with PostgreSQL's words for data found behind each. */
    private enum Request {
        SSL(SSLRequest.CODE, "received unencrypted data after SSL request"),
        GSSENC(GSSENCRequest.CODE, "received unencrypted data after GSSAPI encryption request");

        final int code;
        final String dataBehind;

        Request(int code, String dataBehind) {
            this.code = code;
            this.dataBehind = dataBehind;
        }

        static Request withCode(int code) {
            for (Request each : values()) {
                if (each.code == code) {
                    return each;
                }
            }
            return null;
        }
    }

    /** The requests answered so far on this connection. */
    private final Set<Request> answered;
    /** TLS for this connection when client TLS is configured; empty once the connection is encrypted. */
    private final Optional<ClientTls> tls;

    /** @param tls the context of client_tls_* at the moment the connection was accepted; empty: decline */
    EncryptionNegotiator(Optional<ClientTls> tls) {
        this.tls = tls;
        this.answered = EnumSet.noneOf(Request.class);
    }

    /** The negotiator behind an SslHandler: every request from now on is a repeated one. */
    private EncryptionNegotiator() {
        this.tls = Optional.empty();
        this.answered = EnumSet.allOf(Request.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        int start = in.readerIndex();
        if (in.getByte(start) == TLS_HANDSHAKE && tls.isPresent() && answered.isEmpty()) {
            startTls(ctx, true);
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        if (in.getInt(start) != REQUEST_LENGTH) {
            handOver(ctx);
            return;
        }
        if (in.readableBytes() < REQUEST_LENGTH) {
            return;
        }
        int code = in.getInt(start + 4);
        Request request = Request.withCode(code);
        if (request == null) {
            handOver(ctx);
            return;
        }
        in.skipBytes(REQUEST_LENGTH);
        if (!answered.add(request)) {
            throw refuse(in, StartupPackets.unsupportedProtocol(code));
        }
        boolean accept = request == Request.SSL && tls.isPresent();
        ctx.writeAndFlush((accept ? ACCEPTED : DECLINED).duplicate(), ctx.voidPromise());
        if (in.isReadable()) {
            throw refuse(in, new ProtocolException(PgError.fatal(SqlState.PROTOCOL_VIOLATION, request.dataBehind)
                    .withDetail("This could be either a client-software bug or evidence of an attempted "
                            + "man-in-the-middle attack.")));
        }
        if (accept) {
            startTls(ctx, false);
        }
    }

    /**
     * Puts the SslHandler in this handler's place (bytes read so far, a direct connection's ClientHello, go to it)
     * and a negotiator for the encrypted connection behind it.
     */
    private void startTls(ChannelHandlerContext ctx, boolean direct) {
        SslHandler ssl = tls.orElseThrow().newHandler(ctx.alloc());
        if (direct) {
            ssl.handshakeFuture().addListener(done -> {
                if (done.isSuccess() && !ALPN_POSTGRESQL.equals(ssl.applicationProtocol())) {
                    // PostgreSQL 17's words: direct TLS without ALPN could be a confused non-PostgreSQL client.
                    ctx.channel().pipeline().fireExceptionCaught(new ProtocolException(PgError.fatal(
                            SqlState.PROTOCOL_VIOLATION,
                            "received direct SSL connection request without ALPN protocol negotiation extension")));
                }
            });
        }
        ctx.pipeline().addAfter(ctx.name(), NAME + "-tls", new EncryptionNegotiator());
        ctx.pipeline().replace(this, SSL_NAME, ssl);
    }

    /** The next packet is not an encryption request: the startup decoder takes over, with the bytes read so far. */
    private void handOver(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    /** Drops what is left of the input, which can no longer be trusted, and returns the violation to throw. */
    private static ProtocolException refuse(ByteBuf in, ProtocolException violation) {
        in.skipBytes(in.readableBytes());
        return violation;
    }
}
