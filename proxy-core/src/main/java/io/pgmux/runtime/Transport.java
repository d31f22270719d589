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

    EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, true),
                ioHandlerFactory);
    }
}
