package io.pgmux.codec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.pgmux.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/** Reading what decoders emit from an {@link EmbeddedChannel}, and catching what they throw. */
final class Inbound {
    private Inbound() {
    }

    /** Everything the channel has received so far, in order; the caller owns (and must release) the messages. */
    static List<Object> drain(EmbeddedChannel channel) {
        List<Object> result = new ArrayList<>();
        for (Object each = channel.readInbound(); each != null; each = channel.readInbound()) {
            result.add(each);
        }
        return result;
    }

    static void releaseAll(List<?> messages) {
        for (Object each : messages) {
            ReferenceCountUtil.release(each);
        }
        messages.clear();
    }

    /**
     * Asserts a decoder failure is a protocol violation the way the client handler sees it: Netty's
     * DecoderException wrapping pgmux's ProtocolException.
     */
    static ProtocolException assertProtocolViolation(Throwable error) {
        assertInstanceOf(DecoderException.class, error, "decoder failure");
        return assertInstanceOf(ProtocolException.class, error.getCause(), "cause of " + error);
    }

    /**
     * Stands in for the connection handler: records what the pipeline raises and closes the channel, as pgmux
     * does on a protocol violation. Without it the embedded channel would rethrow on every later call.
     */
    static final class Errors extends ChannelInboundHandlerAdapter {
        final List<Throwable> caught = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            caught.add(cause);
            ctx.close();
        }

        /** Asserts at least one error was raised, all of them protocol violations; returns the first. */
        ProtocolException assertProtocolViolation() {
            assertFalse(caught.isEmpty(), "expected a protocol violation, none was raised");
            ProtocolException first = null;
            for (Throwable each : caught) {
                ProtocolException violation = Inbound.assertProtocolViolation(each);
                if (first == null) {
                    first = violation;
                }
            }
            return first;
        }

        void assertNone() {
            assertTrue(caught.isEmpty(), () -> "unexpected errors: " + caught);
        }
    }
}
