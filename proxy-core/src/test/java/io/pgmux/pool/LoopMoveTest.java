package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection moved back and forth between two event loops of each transport keeps reading and writing on the
 * loop it was moved to: the move of an idle server to its new client's loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopMoveTest {
    private static final int MOVES = 200;

    enum Kind {
        NIO(true, NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class),
        EPOLL(Epoll.isAvailable(), EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class),
        IO_URING(IoUring.isAvailable(), IoUring.isAvailable() ? IoUringIoHandler.newFactory() : null,
                IoUringServerSocketChannel.class, IoUringSocketChannel.class);

        final boolean available;
        final IoHandlerFactory handlers;
        final Class<? extends ServerChannel> server;
        final Class<? extends Channel> client;

        Kind(boolean available, IoHandlerFactory handlers, Class<? extends ServerChannel> server,
             Class<? extends Channel> client) {
            this.available = available;
            this.handlers = handlers;
            this.server = server;
            this.client = client;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMovedConnectionReadsOnItsNewLoop(Kind kind) throws Exception {
        moveBackAndForth(kind, false);
    }

    /** As a server that has just read its login's ReadyForQuery: the move starts inside channelRead. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionMovedWhileItReadsReadsOnItsNewLoop(Kind kind) throws Exception {
        moveBackAndForth(kind, true);
    }

    private static void moveBackAndForth(Kind kind, boolean fromRead) throws Exception {
        assumeTrue(kind.available, kind + " is not available here");
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, kind.handlers);
        try {
            Channel echo = new ServerBootstrap().group(loops).channel(kind.server)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
            BlockingQueue<LoopMove.Outcome> outcomes = new LinkedBlockingQueue<>();
            EventLoop first = loops.next();
            EventLoop second = loops.next();
            Channel channel = new Bootstrap().group(first).channel(kind.client)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf bytes = (ByteBuf) msg;
                            received.add(bytes.readableBytes());
                            bytes.release();
                            if (fromRead) {
                                EventLoop target = ctx.channel().eventLoop() == first ? second : first;
                                LoopMove.move(ctx.channel(), target).addListener(
                                        moved -> outcomes.add((LoopMove.Outcome) moved.getNow()));
                            }
                        }
                    }).connect(echo.localAddress()).sync().channel();
            for (int i = 0; i < MOVES; i++) {
                EventLoop target = i % 2 == 0 ? second : first;
                if (!fromRead) {
                    assertEquals(LoopMove.Outcome.MOVED, LoopMove.move(channel, target).get(10, TimeUnit.SECONDS));
                    assertEquals(target, channel.eventLoop());
                }
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4})).sync();
                Integer echoed = received.poll(10, TimeUnit.SECONDS);
                assertNotNull(echoed, "no echo after move " + i + " on " + kind);
                assertEquals(4, echoed);
                if (fromRead) {
                    assertEquals(LoopMove.Outcome.MOVED, outcomes.poll(10, TimeUnit.SECONDS));
                    assertEquals(target, channel.eventLoop());
                }
            }
            channel.close().sync();
            echo.close().sync();
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
