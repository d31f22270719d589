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
 *
 * <p>The type byte is checked against the {@link ExpectedMessages} of the current phase as soon as it arrives,
 * and the length word as soon as it is complete: a message that cannot be valid fails there, never after its
 * body has been waited for. Messages are emitted one at a time, so the handler can switch the phase
 * ({@link #expect}) between two messages of the same read, e.g. when the password message before a pipelined
 * Query completes the login. After a violation nothing more is read from the input.
 */
public final class MessageFramer extends ByteToMessageDecoder {
    public static final String NAME = "framer";
    /** Tag plus length word. */
    public static final int HEADER_LENGTH = 5;

    private final int maxMessageSize;
    private ExpectedMessages expected;
    /** The largest message of the current phase, header included. */
    private int phaseMaxMessageSize;

    /**
     * @param maxMessageSize the largest message accepted, header included; larger ones are a protocol violation
     * @param expected the message types of the first phase
     */
    public MessageFramer(int maxMessageSize, ExpectedMessages expected) {
        this.maxMessageSize = maxMessageSize;
        expect(expected);
    }

    /** Moves to the next phase: from the next message on, only its types (and sizes) are accepted. */
    public void expect(ExpectedMessages next) {
        expected = next;
        phaseMaxMessageSize = next.maxMessageSize(maxMessageSize);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        byte tag = in.getByte(start);
        if (!expected.allows(tag)) {
            throw refuse(in, expected.refuse(tag));
        }
        if (in.readableBytes() < HEADER_LENGTH) {
            return;
        }
        int length = in.getInt(start + 1);
        if (length < 4 || length > phaseMaxMessageSize - 1) {
            throw refuse(in, new ProtocolException("message " + printable(tag) + " length: " + length
                    + " (expected: 4 to " + (phaseMaxMessageSize - 1) + ")"));
        }
        if (in.readableBytes() < length + 1) {
            return;
        }
        out.add(in.readRetainedSlice(length + 1));
    }

    /** Drops what is left of the input, which can no longer be framed, and returns the violation to throw. */
    private static ProtocolException refuse(ByteBuf in, ProtocolException violation) {
        in.skipBytes(in.readableBytes());
        return violation;
    }

    /** A type byte as a reader wants it in an error: the character, or its hex code when not printable. */
    public static String printable(byte tag) {
        return tag >= 32 && tag < 127 ? "'" + (char) tag + "'" : String.format("\\x%02x", tag & 0xFF);
    }
}
