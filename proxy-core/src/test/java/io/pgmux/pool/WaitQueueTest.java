package io.pgmux.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.testing.TestLoops;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which waiter a released server goes to: FIFO, bent only to spare the server a move between event loops; and the
 * clients as the queue's own nodes: reused from one wait to the next, leaving from anywhere, never in two queues.
 */
class WaitQueueTest {
    private final TestLoops loops = new TestLoops(2);
    private final EventLoop loopA = loops.get(0);
    private final EventLoop loopB = loops.get(1);
    private final List<Boolean> waitingChanges = new ArrayList<>();
    private final WaitQueue queue = new WaitQueue(waitingChanges::add);
    private long now = 1_000;

    private Client queue(EventLoop loop) {
        Client client = new Client(loop);
        queue.add(client, now++);
        return client;
    }

    @Test
    void theLongestWaitingClientOnTheServersLoopIsServedFirst() {
        Client first = queue(loopA);
        Client second = queue(loopA);
        assertSame(first, queue.pollFor(loopA));
        assertSame(second, queue.pollFor(loopA));
        assertNull(queue.pollFor(loopA));
        assertEquals(0, queue.size());
        assertEquals(List.of(true, false), waitingChanges, "the pool hears when waiting starts and ends");
    }

    @Test
    void aWaiterOnTheServersLoopMayGoAheadOfTheHeadButOnlyAFewTimes() {
        Client head = queue(loopB);
        List<Client> sameLoop = new ArrayList<>();
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
        Client head = queue(loopB);
        for (int i = 0; i < 16; i++) {
            queue(loopB);
        }
        queue(loopA); // 18th: beyond the look-ahead
        assertSame(head, queue.pollFor(loopA));
    }

    @Test
    void aWaiterLeavesFromAnywhereInTheQueueAndTheOrderOfTheOthersHolds() {
        Client first = queue(loopA);
        Client middle = queue(loopA);
        Client last = queue(loopA);
        queue.remove(middle);
        assertFalse(queue.contains(middle));
        assertTrue(queue.contains(first));
        assertEquals(2, queue.size());
        assertSame(first, queue.poll());
        assertSame(last, queue.poll());
        assertNull(queue.peek());
        assertEquals(List.of(true, false), waitingChanges);
    }

    @Test
    void aServedClientWaitsAgainAsANewWaiterBehindTheOthers() {
        Client again = queue(loopA);
        Client other = queue(loopA);
        assertSame(again, queue.pollFor(loopA));
        now = 5_000;
        queue.add(again, now);
        assertEquals(5_000, again.waitingSince(), "a new wait starts its own clock");
        assertSame(other, queue.peek());
        assertSame(again, other.nextWaiting());
        assertNull(again.nextWaiting());
        assertSame(other, queue.poll());
        assertSame(again, queue.poll());
    }

    @Test
    void aNewWaitForgetsThePreviousWaitsNoticeAndPassingOver() {
        Client head = queue(loopB);
        queue(loopA);
        queue.pollFor(loopA);
        head.notified = true;
        queue.remove(head);
        queue.add(head, now++);
        assertEquals(0, head.passedOver);
        assertFalse(head.notified, "query_wait_notify is sent once per wait, so again in this one");
    }

    @Test
    void aClientWaitsInOneQueueAtATime() {
        Client client = queue(loopA);
        WaitQueue other = new WaitQueue(waiting -> { });
        assertThrows(IllegalStateException.class, () -> queue.add(client, now));
        assertThrows(IllegalStateException.class, () -> other.add(client, now));
        assertThrows(IllegalStateException.class, () -> other.remove(client));
        assertFalse(other.contains(client));
        assertEquals(1, queue.size(), "the failed moves left the queue as it was");
        assertSame(client, queue.poll());
        assertThrows(IllegalStateException.class, () -> queue.remove(client), "not waiting any more");
        assertThrows(IllegalStateException.class, () -> WaitQueue.NOT_WAITING.add(client, now));
    }

    private static final class Client extends PoolClient {
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
        }

        @Override
        public void waitingLong(long waitedMillis) {
        }

        @Override
        public void acquireFailed(PgError error) {
        }
    }
}
