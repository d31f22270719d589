package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pgmux.protocol.ProtocolException;
import java.util.List;

/**
 * Cuts a typed protocol stream into whole messages: one type byte, an int32 length that counts itself, the body.
 * Each message is emitted as a retained slice of the read buffer (no copy), tag and length included, so a
 * handler can forward it unchanged and look at the tag with {@code getByte(readerIndex)}.
 */
public final class MessageFramer extends ByteToMessageDecoder {
    public static final String NAME = "framer";
    /** Tag plus length word. */
    public static final int HEADER_LENGTH = 5;

    private final int maxMessageSize;

    /** @param maxMessageSize the largest message accepted, header included; larger ones are a protocol violation */
    public MessageFramer(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= HEADER_LENGTH) {
            int start = in.readerIndex();
            int length = in.getInt(start + 1);
            if (length < 4 || length > maxMessageSize - 1) {
                throw new ProtocolException("message " + printable(in.getByte(start)) + " length: " + length
                        + " (expected: 4 to " + (maxMessageSize - 1) + ")");
            }
            if (in.readableBytes() < length + 1) {
                return;
            }
            out.add(in.readRetainedSlice(length + 1));
        }
    }

    /** A type byte as a reader wants it in an error: the character, or its hex code when not printable. */
    public static String printable(byte tag) {
        return tag >= 32 && tag < 127 ? "'" + (char) tag + "'" : String.format("\\x%02x", tag & 0xFF);
    }
}
