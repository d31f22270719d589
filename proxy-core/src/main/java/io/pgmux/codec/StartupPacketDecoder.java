package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.protocol.frontend.GSSENCRequest;
import io.pgmux.protocol.frontend.SSLRequest;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.StartupPacket;
import io.pgmux.protocol.frontend.StartupPackets;
import java.util.List;

/**
 * Decodes the untyped packet that starts a client's session once encryption has been negotiated: a
 * StartupMessage or a CancelRequest. Once the StartupMessage arrives the typed protocol begins, so the decoder
 * removes itself; any bytes it already read flow on, after the StartupMessage, to the next handler, which cuts them
 * into messages (with a {@link MessageFramer}, expecting a password response until the login moves it on). A CancelRequest is the whole conversation: what follows it is
 * ignored, as PostgreSQL does, and reading stops.
 *
 * <p>A packet that cannot be valid fails as soon as its length word, and then its code, has arrived. An
 * SSLRequest or GSSENCRequest here is one too many (the negotiation before has answered the client's one):
 * PostgreSQL refuses it as the unsupported protocol version its code reads as (FATAL 0A000).
 */
public final class StartupPacketDecoder extends ByteToMessageDecoder {
    /** PostgreSQL refuses longer startup packets too (MAX_STARTUP_PACKET_LENGTH). */
    static final int MAX_STARTUP_PACKET_LENGTH = 10_000;

    public StartupPacketDecoder() {
        setSingleDecode(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
            throw refuse(in, new ProtocolException("startup packet length: " + length
                    + " (expected: 8 to " + MAX_STARTUP_PACKET_LENGTH + ")"));
        }
        if (in.readableBytes() < 8) {
            return;
        }
        int code = in.getInt(start + 4);
        try {
            StartupPackets.checkHeader(length, code);
            if (code == SSLRequest.CODE || code == GSSENCRequest.CODE) {
                throw StartupPackets.unsupportedProtocol(code);
            }
        } catch (ProtocolException e) {
            throw refuse(in, e);
        }
        if (in.readableBytes() < length) {
            return;
        }
        in.skipBytes(4);
        StartupPacket packet;
        try {
            packet = StartupPackets.decode(in.readSlice(length - 4));
        } catch (ProtocolException e) {
            throw refuse(in, e);
        }
        out.add(packet);
        if (packet instanceof StartupMessage) {
            ctx.pipeline().remove(this);
        } else if (packet instanceof CancelRequest) {
            in.skipBytes(in.readableBytes());
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** Drops what is left of the input, which can no longer be trusted, and returns the violation to throw. */
    private static ProtocolException refuse(ByteBuf in, ProtocolException violation) {
        in.skipBytes(in.readableBytes());
        return violation;
    }
}
