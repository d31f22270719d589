package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.StartupPackets;
import java.util.List;

/**
 * Decodes the untyped packets of a client's startup phase into {@code StartupPacket}s. Once the StartupMessage
 * arrives the typed protocol begins, so the decoder replaces itself with a {@link MessageFramer}; any bytes it
 * already read flow on into the framer.
 */
public final class StartupPacketDecoder extends ByteToMessageDecoder {
    /** PostgreSQL refuses longer startup packets too (MAX_STARTUP_PACKET_LENGTH). */
    static final int MAX_STARTUP_PACKET_LENGTH = 10_000;

    private final int maxMessageSize;

    /** @param maxMessageSize the limit the framer enforces once the session starts */
    public StartupPacketDecoder(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
        setSingleDecode(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
            throw new ProtocolException("startup packet length: " + length
                    + " (expected: 8 to " + MAX_STARTUP_PACKET_LENGTH + ")");
        }
        if (in.readableBytes() < length) {
            return;
        }
        in.skipBytes(4);
        ByteBuf body = in.readSlice(length - 4);
        Object packet = StartupPackets.decode(body);
        out.add(packet);
        if (packet instanceof StartupMessage) {
            ctx.pipeline().replace(this, MessageFramer.NAME, new MessageFramer(maxMessageSize,
                    ExpectedMessages.PASSWORD_RESPONSE));
        }
    }
}
