package io.pgmux.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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

    /** Whether complete messages are handed on as they arrive, or kept in the input for now. */
    private enum Flow { PASSING, HELD }

    private final int maxMessageSize;
    private Flow flow = Flow.PASSING;
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

    /**
     * Keeps every further message in the input, and reads nothing more from the socket, until {@link #resume}:
     * while the login waits for work done off the event loop (a key derivation, an auth_query lookup). What a
     * client sent meanwhile is then framed under the phase in force at that time, as PostgreSQL reads it only
     * once it has answered. Call on the channel's event loop.
     */
    public void hold(ChannelHandlerContext ctx) {
        flow = Flow.HELD;
        ctx.channel().config().setAutoRead(false);
    }

    /**
     * Hands on what {@link #hold} kept, then reads from the socket again. Call on the channel's event loop, with
     * the context of this framer; nothing happens once the framer has left the pipeline.
     */
    public void resume(ChannelHandlerContext ctx) {
        if (flow != Flow.HELD) {
            throw new IllegalStateException("resume without hold");
        }
        flow = Flow.PASSING;
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        try {
            // An empty read makes the decoder frame the input it keeps, as if those bytes had just arrived.
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (flow == Flow.HELD) {
            return;
        }
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
