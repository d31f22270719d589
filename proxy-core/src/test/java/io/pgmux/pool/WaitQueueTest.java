package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.testing.TestLoops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which waiter a released server goes to: FIFO, bent only to spare the server a move between event loops. */
class WaitQueueTest {
    private final TestLoops loops = new TestLoops(2);
    private final EventLoop loopA = loops.get(0);
    private final EventLoop loopB = loops.get(1);
    private final List<Boolean> waitingChanges = new ArrayList<>();
    private final WaitQueue queue = new WaitQueue(waitingChanges::add);

    private Waiter queue(EventLoop loop) {
        Waiter waiter = new Waiter(new Client(loop), 0);
        queue.add(waiter);
        return waiter;
    }

    @Test
    void theLongestWaitingClientOnTheServersLoopIsServedFirst() {
        Waiter first = queue(loopA);
        Waiter second = queue(loopA);
        assertSame(first, queue.pollFor(loopA));
        assertSame(second, queue.pollFor(loopA));
        assertNull(queue.pollFor(loopA));
        assertEquals(0, queue.size());
        assertEquals(List.of(true, false), waitingChanges, "the pool hears when waiting starts and ends");
    }

    @Test
    void aWaiterOnTheServersLoopMayGoAheadOfTheHeadButOnlyAFewTimes() {
        Waiter head = queue(loopB);
        List<Waiter> sameLoop = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sameLoop.add(queue(loopA));
        }
        for (int i = 0; i < 4; i++) {
            assertSame(sameLoop.get(i), queue.pollFor(loopA), "release " + i);
        }
        assertSame(head, queue.pollFor(loopA), "the head is served after being passed over 4 times");
        assertSame(sameLoop.get(4), queue.pollFor(loopA));
        assertEquals(5, queue.size());
    }

    @Test
    void withNoWaiterOnTheServersLoopNearTheHeadTheHeadIsServed() {
        Waiter head = queue(loopB);
        for (int i = 0; i < 16; i++) {
            queue(loopB);
        }
        queue(loopA); // 18th: beyond the look-ahead
        assertSame(head, queue.pollFor(loopA));
    }

    @Test
    void aWaiterLeavesFromAnywhereInTheQueueAndTheOrderOfTheOthersHolds() {
        Waiter first = queue(loopA);
        Waiter middle = queue(loopA);
        Waiter last = queue(loopA);
        queue.remove(queue.find(middle.client()));
        assertNull(queue.find(middle.client()));
        assertSame(first, queue.poll());
        assertSame(last, queue.poll());
        assertNull(queue.peek());
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
