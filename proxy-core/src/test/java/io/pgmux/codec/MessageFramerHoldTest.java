package io.pgmux.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * While the login waits for work off the event loop the framer keeps what arrives and reads nothing more; on
 * resume it frames what it kept under the phase and the way of handing on in force then, as when the login ended
 * meanwhile and the session asked for runs.
 */
class MessageFramerHoldTest {
    private static ByteBuf message(char tag, String body) {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Unpooled.buffer().writeByte(tag).writeInt(4 + bytes.length).writeBytes(bytes);
    }

    /** Holds the framer at the first message, as the login does at a cleartext password. */
    private static final class HoldAtFirst extends ChannelInboundHandlerAdapter {
        final List<Character> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            seen.add((char) frame.getByte(frame.readerIndex()));
            frame.release();
            if (seen.size() == 1) {
                ChannelHandlerContext framer = ctx.pipeline().context(MessageFramer.class);
                ((MessageFramer) framer.handler()).hold(framer);
            }
        }
    }

    /** Takes every message as inspected and records it. */
    private static final class Router implements MessageRouter {
        final List<Character> messages = new ArrayList<>();

        @Override
        public Route route(byte tag, int length) {
            return Route.TAKE;
        }

        @Override
        public void run(ByteBuf bytes) {
            bytes.release();
        }

        @Override
        public void passed(ByteBuf buffer, int index) {
        }

        @Override
        public void message(ByteBuf message) {
            messages.add((char) message.getByte(message.readerIndex()));
            message.release();
        }
    }

    @Test
    void whatArrivesWhileHeldGoesToTheRouterTheSessionAskedForMeanwhile() {
        MessageFramer framer = new MessageFramer(1 << 20, ExpectedMessages.PASSWORD_RESPONSE);
        HoldAtFirst login = new HoldAtFirst();
        EmbeddedChannel channel = new EmbeddedChannel(framer, login);
        channel.writeInbound(Unpooled.wrappedBuffer(message('p', "secret\0"), message('Q', "select 1\0")));
        assertEquals(List.of('p'), login.seen, "the Query waits; under the password phase it would be refused");
        assertFalse(channel.config().isAutoRead());
        channel.writeInbound(message('S', ""));
        assertEquals(List.of('p'), login.seen);

        // The check succeeded: the session's phase and its router take over, then the framer resumes.
        framer.expect(ExpectedMessages.FRONTEND);
        Router router = new Router();
        framer.forwardRuns(router);
        framer.resume(channel.pipeline().context(framer));
        assertEquals(List.of('Q', 'S'), router.messages);
        assertTrue(channel.config().isAutoRead());
        assertNull(channel.readInbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void whatWasKeptIsReleasedWhenTheClientLeavesWhileHeld() {
        MessageFramer framer = new MessageFramer(1 << 20, ExpectedMessages.PASSWORD_RESPONSE);
        EmbeddedChannel channel = new EmbeddedChannel(framer, new HoldAtFirst());
        ByteBuf kept = message('p', "second\0");
        channel.writeInbound(Unpooled.wrappedBuffer(message('p', "first\0"), kept.retain()));
        channel.close();
        framer.resume(channel.pipeline().context(framer)); // the check ends after the client left: nothing to hand on
        assertEquals(1, kept.refCnt(), "only the test's own reference is left");
        kept.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    /**
     * A framer inside its owner's handler: what it kept goes to the owner on resume, and a violation among it to the
     * owner's readFailed, as the pipeline's exceptionCaught would have it for a framer of its own.
     */
    @Test
    void insideItsOwnerWhatWasKeptAndAViolationAmongItGoToTheOwner() {
        FramingOwner owner = new FramingOwner(1 << 20);
        Inbound.Errors errors = new Inbound.Errors();
        EmbeddedChannel channel = new EmbeddedChannel(owner, errors);
        channel.writeInbound(new io.pgmux.protocol.frontend.StartupMessage(0x00030000, java.util.Map.of("user", "a")));
        channel.readInbound(); // the StartupMessage, passed on
        ChannelHandlerContext context = channel.pipeline().context(owner);
        owner.framer().hold(context);
        channel.writeInbound(Unpooled.wrappedBuffer(message('p', "secret\0"), message('Q', "select 1\0")));
        assertNull(channel.readInbound(), "held");
        int readsCompleted = owner.readsCompleted;

        owner.framer().resume(context);
        ByteBuf password = channel.readInbound();
        assertEquals('p', (char) password.getByte(password.readerIndex()));
        password.release();
        assertEquals("expected password response, got message type 81 ('Q')",
                errors.assertProtocolViolation().getMessage());
        assertEquals(readsCompleted + 1, owner.readsCompleted, "what was kept ends as a read of its own");
        assertFalse(channel.finishAndReleaseAll());
    }
}
