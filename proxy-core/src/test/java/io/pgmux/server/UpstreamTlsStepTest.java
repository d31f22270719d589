package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.pgmux.codec.MessageFramer;
import io.pgmux.config.ServerTlsConfig;
import io.pgmux.config.SslMode;
import io.pgmux.tls.ServerTlsNegotiation.Attempt;
import io.pgmux.tls.UpstreamTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The TLS step of a server connection with each kind of attempt and each answer to its SSLRequest. */
class UpstreamTlsStepTest {
    private static final Optional<UpstreamTls> TLS = UpstreamTls.create(new ServerTlsConfig(SslMode.REQUIRE,
            Optional.empty(), Optional.empty(), Optional.empty(), true, ServerTlsConfig.defaults().protocols(),
            List.of()));

    /** Records the activation (the login's start) and failures, as the ServerHandler would see them. */
    private static final class Login extends ChannelInboundHandlerAdapter {
        final List<Object> events = new ArrayList<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            events.add("active");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            events.add(cause.getCause() != null ? cause.getCause() : cause);
        }
    }

    private final Login login = new Login();

    private EmbeddedChannel channel(Attempt attempt) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(UpstreamEncryptionNegotiator.NAME,
                new UpstreamEncryptionNegotiator(1 << 20, attempt, TLS, "db.example", 5432));
        channel.pipeline().addLast("server", login);
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static String sslRequest(EmbeddedChannel channel) {
        ByteBuf sent = channel.readOutbound();
        assertNotNull(sent, "an SSLRequest");
        try {
            return sent.readInt() + "/" + sent.readInt();
        } finally {
            sent.release();
        }
    }

    @Test
    void preferGoesOnInPlaintextWhenTheServerDeclines() {
        EmbeddedChannel channel = channel(Attempt.TLS_IF_OFFERED);
        assertEquals("8/80877103", sslRequest(channel));
        assertTrue(login.events.isEmpty(), "the login waits for the answer");
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        assertEquals(List.of("active"), login.events);
        assertInstanceOf(MessageFramer.class, channel.pipeline().get(MessageFramer.NAME));
        channel.finishAndReleaseAll();
    }

    @Test
    void requireFailsWithLibpqsWordsWhenTheServerDeclines() {
        EmbeddedChannel channel = channel(Attempt.TLS);
        sslRequest(channel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'N'}));
        UpstreamTlsException failure = assertInstanceOf(UpstreamTlsException.class, login.events.get(0));
        assertTrue(failure.getMessage().contains("server does not support SSL, but SSL was required"));
        assertTrue(!failure.handshakeFailed(), "no other attempt follows");
        channel.finishAndReleaseAll();
    }

    @Test
    void anSAnswerStartsTheHandshakeAndBytesBehindTheAnswerAreRefused() {
        EmbeddedChannel channel = channel(Attempt.TLS);
        sslRequest(channel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        assertNotNull(ssl, "TLS in front");
        ByteBuf hello = channel.readOutbound();
        assertEquals(0x16, hello.getByte(hello.readerIndex()), "a ClientHello went out");
        hello.release();
        assertTrue(login.events.isEmpty(), "the login waits for the handshake");
        channel.finishAndReleaseAll();

        Login other = new Login();
        EmbeddedChannel injected = new EmbeddedChannel();
        injected.pipeline().addLast(new UpstreamEncryptionNegotiator(1 << 20, Attempt.TLS, TLS, "db.example", 5432),
                other);
        injected.pipeline().fireChannelActive();
        sslRequest(injected);
        injected.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S', 'R', 0, 0}));
        UpstreamTlsException failure = assertInstanceOf(UpstreamTlsException.class, other.events.get(0));
        assertTrue(failure.getMessage().contains("received unencrypted data after SSL response"));
        assertNull(injected.pipeline().get(SslHandler.class));
        injected.finishAndReleaseAll();
    }
}
