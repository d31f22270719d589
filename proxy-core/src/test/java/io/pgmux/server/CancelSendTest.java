package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgmux.protocol.frontend.CancelRequest;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CancelRequest's short connection ends in one outcome whatever becomes of its write: a request the socket would
 * not take (here as if it were not connected yet, the NotYetConnectedException once seen unhandled) is NOT_SENT, as
 * after a failed connect, and the connection is closed at once rather than left to its timeout.
 */
class CancelSendTest {
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static ServerConnector connector(io.netty.channel.ChannelFactory<NioSocketChannel> channels) {
        return new ServerConnector(channels, Duration.ofSeconds(30), 1 << 20,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
    }

    @Test
    void aRequestTheSocketWouldNotTakeIsNotSent() throws Exception {
        ServerConnector connector = connector(() -> new NioSocketChannel() {
            @Override
            protected void doWrite(ChannelOutboundBuffer in) {
                throw new NotYetConnectedException();
            }
        });
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<CancelOutcome> outcome = new CompletableFuture<>();
            connector.cancel(loops.next(), "127.0.0.1", listener.getLocalPort(), new CancelRequest(1, 2),
                    outcome::complete);
            assertEquals(CancelOutcome.NOT_SENT, outcome.get(10, TimeUnit.SECONDS),
                    "ended as a failed connect, long before the 30 s timeout");
        }
    }

    @Test
    void aRequestSentIsAnsweredWhenTheServerCloses() throws Exception {
        ServerConnector connector = connector(NioSocketChannel::new);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<CancelOutcome> outcome = new CompletableFuture<>();
            connector.cancel(loops.next(), "127.0.0.1", listener.getLocalPort(), new CancelRequest(7, 9),
                    outcome::complete);
            try (Socket accepted = listener.accept()) {
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                assertEquals(16, in.readInt(), "CancelRequest's length");
                assertEquals(80877102, in.readInt(), "its code");
                assertEquals(7, in.readInt());
                assertEquals(9, in.readInt());
            }
            assertEquals(CancelOutcome.ANSWERED, outcome.get(10, TimeUnit.SECONDS));
        }
    }
}
