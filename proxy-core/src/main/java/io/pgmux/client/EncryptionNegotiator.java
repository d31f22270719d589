package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.frontend.GSSENCRequest;
import io.pgmux.protocol.frontend.SSLRequest;
import io.pgmux.protocol.frontend.StartupPackets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The first handler of a client's pipeline: answers the client's SSLRequest and GSSENCRequest (protocol docs,
 * "SSL Session Encryption" and "GSSAPI Session Encryption"), then removes itself as soon as another packet
 * begins and hands its bytes to the startup decoder behind it.
 *
 * <p>pgmux declines both requests with {@code 'N'}, and the client goes on in plaintext. This is the one place
 * where TLS will start: answer {@code 'S'}, put an SslHandler in this handler's place, remove itself.
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
    private static final int REQUEST_LENGTH = 8;

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
    private final Set<Request> answered = EnumSet.noneOf(Request.class);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
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
        ctx.writeAndFlush(DECLINED.duplicate(), ctx.voidPromise());
        if (in.isReadable()) {
            throw refuse(in, new ProtocolException(PgError.fatal(SqlState.PROTOCOL_VIOLATION, request.dataBehind)
                    .withDetail("This could be either a client-software bug or evidence of an attempted "
                            + "man-in-the-middle attack.")));
        }
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
