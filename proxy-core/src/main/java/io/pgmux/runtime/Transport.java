package io.pgmux.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pgmux.config.IoTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The socket transport of pgmux's event loops ({@code transport}): the I/O handler every loop runs and the
 * channel classes for the listener and for server connections, which must match it.
 *
 * @param name the configuration's spelling of the transport in use ({@code epoll}, {@code io_uring}, {@code nio})
 */
record Transport(String name, IoHandlerFactory ioHandlerFactory, ChannelFactory<? extends ServerChannel> serverChannels,
                 ChannelFactory<? extends Channel> clientChannels) {

    /**
     * The transport {@code wanted} names; for {@link IoTransport#AUTO} epoll where Netty's native library loads
     * (Linux), else NIO.
     *
     * @throws IllegalStateException when the named native transport cannot run here, with Netty's reason
     */
    static Transport of(IoTransport wanted) {
        return switch (wanted) {
            case AUTO -> Epoll.isAvailable() ? epoll() : nio();
            case EPOLL -> {
                require("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause());
                yield epoll();
            }
            case IO_URING -> {
                require("io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause());
                yield new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel::new,
                        IoUringSocketChannel::new);
            }
            case NIO -> nio();
        };
    }

    /** Whether {@code transport} can run on this machine; {@link IoTransport#AUTO} and NIO always can. */
    static boolean isAvailable(IoTransport transport) {
        return switch (transport) {
            case AUTO, NIO -> true;
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
        };
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                EpollSocketChannel::new);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel::new, NioSocketChannel::new);
    }

    private static void require(String name, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException("transport: " + name + " cannot run here ("
                    + (cause == null ? "unknown reason" : cause.getMessage()) + "); use auto or nio", cause);
        }
    }

    /**
     * Sets SO_REUSEPORT on a listener (listen.so_reuseport): epoll's or io_uring's own option, or on NIO the JDK's
     * where the platform has it (Linux, the BSDs, macOS).
     *
     * @throws IllegalStateException where the platform has no SO_REUSEPORT (Windows): running as if it were set
     *                               would fail only later, when the next process cannot bind
     */
    void reusePort(ServerBootstrap bootstrap) {
        if (name.equals("epoll")) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
            return;
        }
        if (name.equals("io_uring")) {
            bootstrap.option(IoUringChannelOption.SO_REUSEPORT, true);
            return;
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            if (!probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new IllegalStateException("listen.so_reuseport: this platform has no SO_REUSEPORT; remove the"
                        + " setting and run one pgmux per address");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot ask the platform for SO_REUSEPORT", e);
        }
        bootstrap.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT),
                true);
    }

    EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory);
    }
}
