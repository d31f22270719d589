package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The reasons of real failed connects, on each transport, without Netty's wrapping. */
class SocketErrorsTest {
    /** A port nothing listens on: one just bound and closed again. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Throwable connectFailure(IoHandlerFactory io, ChannelFactory<? extends Channel> channels,
                                            String host, int port) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        try {
            return new Bootstrap().group(group).channelFactory(channels)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(host, port).await().cause();
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aRefusedConnectOverNioIsConnectionRefused() throws Exception {
        Throwable failure = connectFailure(NioIoHandler.newFactory(), NioSocketChannel::new, "127.0.0.1",
                closedPort());
        assertTrue(failure.getMessage().contains("127.0.0.1"), "Netty names the address: " + failure);
        assertEquals("Connection refused", SocketErrors.reason(failure));
    }

    @Test
    void aRefusedConnectOverEpollIsConnectionRefusedWithoutTheSystemCall() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll");
        Throwable failure = connectFailure(EpollIoHandler.newFactory(), EpollSocketChannel::new, "127.0.0.1",
                closedPort());
        assertTrue(failure.getMessage().contains("finishConnect"), "the wrapping under test: " + failure);
        assertEquals("Connection refused", SocketErrors.reason(failure));
    }

    @Test
    void anUnknownHostIsNamedAsLibpqNamesIt() throws Exception {
        Throwable failure = connectFailure(NioIoHandler.newFactory(), NioSocketChannel::new, "no-such-host.invalid",
                5432);
        assertTrue(SocketErrors.reason(failure)
                .startsWith("could not translate host name \"no-such-host.invalid\" to address"),
                SocketErrors.reason(failure));
    }

    @Test
    void aConnectTimeoutKeepsItsDurationAndLosesTheAddress() {
        // Netty's own wording for CONNECT_TIMEOUT_MILLIS; a real one needs an address that drops packets.
        assertEquals("connection timed out after 5000 ms", SocketErrors.reason(
                new ConnectTimeoutException("connection timed out after 5000 ms: db.internal/10.0.0.5:5432")));
    }

    @Test
    void anExceptionWithoutAMessageIsNamedByItsClassAndNoneIsAnUnknownReason() {
        assertEquals("IOException", SocketErrors.reason(new IOException()));
        assertEquals("unknown reason", SocketErrors.reason(null));
    }
}
