package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which waiter a released server goes to: FIFO, bent only to spare the server a move between event loops. */
class WaiterOrderTest {
    private final EventLoop loopA = new DefaultEventLoop();
    private final EventLoop loopB = new DefaultEventLoop();
    private final ServerPool pool = new ServerPool(null, null, null, List.of(), null, null, null, null);

    @AfterEach
    void stopLoops() {
        loopA.shutdownGracefully();
        loopB.shutdownGracefully();
    }

    private Waiter queue(EventLoop loop) {
        Waiter waiter = new Waiter(new Client(loop), System.nanoTime());
        pool.waiters.add(waiter);
        return waiter;
    }

    @Test
    void theLongestWaitingClientOnTheServersLoopIsServedFirst() {
        Waiter first = queue(loopA);
        Waiter second = queue(loopA);
        assertSame(first, pool.pollWaiterFor(loopA));
        assertSame(second, pool.pollWaiterFor(loopA));
    }

    @Test
    void aWaiterOnTheServersLoopMayGoAheadOfTheHeadButOnlyAFewTimes() {
        Waiter head = queue(loopB);
        List<Waiter> sameLoop = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sameLoop.add(queue(loopA));
        }
        for (int i = 0; i < 4; i++) {
            assertSame(sameLoop.get(i), pool.pollWaiterFor(loopA), "release " + i);
        }
        assertSame(head, pool.pollWaiterFor(loopA), "the head is served after being passed over 4 times");
        assertSame(sameLoop.get(4), pool.pollWaiterFor(loopA));
    }

    @Test
    void withNoWaiterOnTheServersLoopNearTheHeadTheHeadIsServed() {
        Waiter head = queue(loopB);
        for (int i = 0; i < 16; i++) {
            queue(loopB);
        }
        queue(loopA); // 18th: beyond the look-ahead
        assertSame(head, pool.pollWaiterFor(loopA));
    }

    private record Client(EventLoop eventLoop) implements PoolClient {
        @Override
        public void serverAssigned(ServerConnection server) {
        }

        @Override
        public void waitingLong(long waitedMillis) {
        }

        @Override
        public void acquireFailed(PgError error) {
        }
    }
}
