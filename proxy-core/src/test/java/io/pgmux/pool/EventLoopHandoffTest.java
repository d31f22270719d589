package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.Ticker;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.TestServers;
import io.pgmux.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handing a server to a client on another event loop, when the server's connection closes on the way. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventLoopHandoffTest {
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    /** The other end of the connection, on loops of its own. */
    private final DefaultEventLoopGroup peerLoops = new DefaultEventLoopGroup(1);

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        peerLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /**
     * A channel that closes while it belongs to no event loop gets no channelInactive from Netty; the pool must
     * hear of the close all the same, or it counts the server as lent for good.
     */
    @Test
    void aServerThatClosesWhileItMovesIsReportedClosed() throws Exception {
        EventLoop serverLoop = loops.next();
        EventLoop clientLoop = loops.next();
        LocalAddress address = new LocalAddress("handoff-" + System.nanoTime());
        Channel acceptor = new ServerBootstrap().group(peerLoops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        Channel channel = new Bootstrap().group(serverLoop).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        List<String> events = new CopyOnWriteArrayList<>();
        ServerConnection server = TestServers.lentOn(channel, events);
        PoolCore core = new PoolCore(new PoolLock(), Ticker.systemTicker(), new EventLoops(loops));
        Client client = new Client(clientLoop);

        // Hold the client's loop so the registration there waits, and close the channel in between.
        CountDownLatch held = new CountDownLatch(1);
        clientLoop.execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        EventLoopHandoff.deliver(server, client, core);
        Await.until(Duration.ofSeconds(10), () -> !channel.isRegistered(), "the channel off its old loop");
        channel.unsafe().close(channel.voidPromise()); // as the transport does on EOF; no loop to run it on
        Await.until(Duration.ofSeconds(10), () -> !channel.isOpen(), "the channel closed");
        held.countDown();

        Await.until(Duration.ofSeconds(10), () -> client.assigned.getCount() == 0, "the client served");
        Await.until(Duration.ofSeconds(10), () -> events.contains("closed"), "the pool told of the close");
        assertFalse(server.isUsable());
        assertEquals(1, events.stream().filter("closed"::equals).count(), "told once: " + events);
        acceptor.close().sync();
    }

    private static final class Client extends PoolClient {
        final CountDownLatch assigned = new CountDownLatch(1);
        private final EventLoop loop;

        Client(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public void serverAssigned(ServerConnection server) {
            assigned.countDown();
        }

        @Override
        public void waitingLong(long waitedMillis, WaitReason reason, PgError notice) {
        }

        @Override
        public void acquireFailed(PgError error) {
        }
    }
}
