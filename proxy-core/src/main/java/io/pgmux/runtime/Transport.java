package io.pgmux.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll where the platform has it (fewer copies and syscalls), NIO everywhere else. */
record Transport(String name, IoHandlerFactory ioHandlerFactory, ChannelFactory<? extends ServerChannel> serverChannels,
                 ChannelFactory<? extends Channel> clientChannels) {

    static Transport detect() {
        if (Epoll.isAvailable() && !Boolean.getBoolean("pgmux.nio")) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                    EpollSocketChannel::new);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel::new, NioSocketChannel::new);
    }

    /**
     * Sets SO_REUSEPORT on a listener (listen.so_reuseport): epoll's own option, or on NIO the JDK's where the
     * platform has it (Linux, the BSDs, macOS).
     *
     * @throws IllegalStateException where the platform has no SO_REUSEPORT (Windows): running as if it were set
     *                               would fail only later, when the next process cannot bind
     */
    void reusePort(io.netty.bootstrap.ServerBootstrap bootstrap) {
        if (name.equals("epoll")) {
            bootstrap.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
            return;
        }
        try (java.nio.channels.ServerSocketChannel probe = java.nio.channels.ServerSocketChannel.open()) {
            if (!probe.supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT)) {
                throw new IllegalStateException("listen.so_reuseport: this platform has no SO_REUSEPORT; remove the"
                        + " setting and run one pgmux per address");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot ask the platform for SO_REUSEPORT", e);
        }
        bootstrap.option(io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT),
                true);
    }

    EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, true),
                ioHandlerFactory);
    }
}
