package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamEncryptionNegotiatorTest {
    private static final byte[] AUTHENTICATION_OK = Bytes.hex("52 00000008 00000000");

    /** Stands for the ServerHandler: records the activation (when it would send the StartupMessage) and messages. */
    private static final class Login extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            events.add("active, pipeline " + ctx.pipeline().names().subList(0, 2));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            events.add("message " + (char) frame.getByte(frame.readerIndex()));
            frame.release();
        }
    }

    @Test
    void withoutEncryptionTheLoginStartsOnConnectBehindAFramerOfBackendMessages() {
        Login login = new Login();
        EmbeddedChannel channel = new EmbeddedChannel(); // registered and active
        channel.pipeline().addLast(UpstreamEncryptionNegotiator.NAME, new UpstreamEncryptionNegotiator(1 << 20, io.pgmux.tls.ServerTlsNegotiation.Attempt.PLAIN, java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty()), "127.0.0.1", 5432));
        channel.pipeline().addLast("server", login);
        channel.pipeline().fireChannelActive();

        assertNull(channel.pipeline().get(UpstreamEncryptionNegotiator.NAME), "the step removed itself");
        assertInstanceOf(MessageFramer.class, channel.pipeline().get(MessageFramer.NAME));
        assertEquals(List.of("active, pipeline [" + MessageFramer.NAME + ", server]"), login.events,
                "the login starts once the framer is in place");
        assertNull(channel.readOutbound(), "nothing sent to the server by this step");

        channel.writeInbound(Unpooled.wrappedBuffer(AUTHENTICATION_OK));
        assertEquals("message R", login.events.get(1));
        assertFalse(channel.finish());
    }
}
