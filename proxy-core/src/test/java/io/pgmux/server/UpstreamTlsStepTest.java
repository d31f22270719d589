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
import io.pgmux.tls.TlsSetupException;
import io.pgmux.tls.UpstreamTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The TLS step of a server connection with each kind of attempt and each answer to its SSLRequest. */
class UpstreamTlsStepTest {
    private static final CompletableFuture<Optional<UpstreamTls>> TLS = CompletableFuture.completedFuture(
            UpstreamTls.create(new ServerTlsConfig(SslMode.REQUIRE, Optional.empty(), Optional.empty(),
                    Optional.empty(), true, ServerTlsConfig.defaults().protocols(), List.of())));

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
        return channel(attempt, TLS);
    }

    private EmbeddedChannel channel(Attempt attempt, CompletableFuture<Optional<UpstreamTls>> tls) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(UpstreamEncryptionNegotiator.NAME,
                new UpstreamEncryptionNegotiator(1 << 20, attempt, tls, "db.example", 5432));
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

    /** Just after start the context may still be in its build: the handshake begins once it is there. */
    @Test
    void anSAnswerBeforeTheContextIsBuiltStartsTheHandshakeOnceItIs() {
        CompletableFuture<Optional<UpstreamTls>> building = new CompletableFuture<>();
        EmbeddedChannel channel = channel(Attempt.TLS, building);
        sslRequest(channel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        channel.runPendingTasks();
        assertNull(channel.pipeline().get(SslHandler.class), "no context yet");
        assertNull(channel.readOutbound(), "nothing sent while it is built");

        building.complete(TLS.join()); // by the builder's thread; the handshake starts on the channel's loop
        assertNull(channel.pipeline().get(SslHandler.class), "not on the builder's thread");
        channel.runPendingTasks();
        assertNotNull(channel.pipeline().get(SslHandler.class), "TLS in front");
        ByteBuf hello = channel.readOutbound();
        assertEquals(0x16, hello.getByte(hello.readerIndex()), "a ClientHello went out");
        hello.release();
        assertTrue(login.events.isEmpty(), "the login waits for the handshake");
        channel.finishAndReleaseAll();
    }

    @Test
    void bytesWhileTheContextIsBuiltAreRefused() {
        CompletableFuture<Optional<UpstreamTls>> building = new CompletableFuture<>();
        EmbeddedChannel channel = channel(Attempt.TLS, building);
        sslRequest(channel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'R', 0, 0}));
        UpstreamTlsException failure = assertInstanceOf(UpstreamTlsException.class, login.events.get(0));
        assertTrue(failure.getMessage().contains("received unencrypted data after SSL response"));
        building.complete(TLS.join());
        channel.finishAndReleaseAll();
        assertNull(channel.pipeline().get(SslHandler.class), "no handshake on a closed connection");
    }

    @Test
    void aContextThatCannotBeBuiltFailsTheAttemptWithTheReason() {
        CompletableFuture<Optional<UpstreamTls>> building = new CompletableFuture<>();
        EmbeddedChannel channel = channel(Attempt.TLS_IF_OFFERED, building);
        sslRequest(channel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'S'}));
        building.completeExceptionally(new TlsSetupException("server_tls_ca_file: cannot use /etc/ca.pem: gone"));
        channel.runPendingTasks();
        UpstreamTlsException failure = assertInstanceOf(UpstreamTlsException.class, login.events.get(0));
        assertEquals("could not set up TLS for the server at db.example:5432: server_tls_ca_file: cannot use"
                + " /etc/ca.pem: gone", failure.getMessage());
        assertTrue(!failure.handshakeFailed(), "no other attempt follows: the next would fail alike");
        assertNull(channel.pipeline().get(SslHandler.class));
        channel.finishAndReleaseAll();
    }
}
