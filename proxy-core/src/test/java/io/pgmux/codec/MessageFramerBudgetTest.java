package io.pgmux.codec;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The framers of many connections share one {@link CarryBudget} for the messages they gather across reads: a
 * message is reserved at its announced size when gathering starts and given back when it is handed on or dropped;
 * where two do not fit together, the larger fails its connection alone, whichever came first.
 */
class MessageFramerBudgetTest {
    private static final int MAX = 1 << 20;
    private static final int LIMIT = 1000;

    private final CarryBudget budget = new CarryBudget(LIMIT);

    /** A Query of {@code length} bytes in all, header included. */
    private static byte[] query(int length) {
        byte[] body = new byte[length - MessageFramer.HEADER_LENGTH];
        Arrays.fill(body, (byte) 'x');
        body[body.length - 1] = 0;
        return Bytes.message('Q', body);
    }

    private EmbeddedChannel framer() {
        return new EmbeddedChannel(new MessageFramer(MAX, ExpectedMessages.FRONTEND, null, budget));
    }

    private static ByteBuf part(byte[] message, int from, int to) {
        return Unpooled.wrappedBuffer(message, from, to - from);
    }

    @Test
    void aGatheredMessageReservesItsAnnouncedSizeUntilItIsHandedOn() {
        byte[] query = query(600);
        EmbeddedChannel channel = framer();
        assertFalse(channel.writeInbound(part(query, 0, 100)));
        assertEquals(600, budget.held(), "the whole announced size, not the 100 bytes come so far");
        assertTrue(channel.writeInbound(part(query, 100, query.length)));
        assertEquals(0, budget.held(), "given back once the message is handed on");
        assertBytesAndRelease(query, channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void aMessageBeyondTheSharedBoundFailsItsConnectionAloneAndTheOtherCompletes() {
        byte[] first = query(400);
        byte[] second = query(700);
        EmbeddedChannel one = framer();
        EmbeddedChannel two = framer();
        one.writeInbound(part(first, 0, 10));

        CarryRefusedException refused = assertThrows(CarryRefusedException.class,
                () -> two.writeInbound(part(second, 0, 10)), "the larger of the two gives way: the newcomer");
        assertEquals("message of 700 bytes cannot be buffered now: partial messages of all clients hold 400 of at"
                + " most 1000 bytes; retry later, or send smaller messages (a smaller batch, or large values in parts)",
                refused.getMessage());
        assertEquals(700, refused.messageBytes());
        assertEquals(400, budget.held(), "the refused message reserved nothing");
        assertFalse(two.writeInbound(part(second, 10, second.length)), "nothing more is read after the refusal");

        assertTrue(one.writeInbound(part(first, 10, first.length)));
        assertBytesAndRelease(first, one.readInbound());
        assertEquals(0, budget.held());
        assertFalse(one.finish());
        assertFalse(two.finish());
    }

    @Test
    void aSmallerMessageTakesTheReservationOfALargerOneWhoseConnectionIsRefused() {
        byte[] large = query(600);
        byte[] small = query(500);
        EmbeddedChannel holder = framer();
        EmbeddedChannel newcomer = framer();
        holder.writeInbound(part(large, 0, 10));

        assertFalse(newcomer.writeInbound(part(small, 0, 10)), "the smaller message is gathered");
        assertEquals(500, budget.held(), "the larger reservation was taken for it");
        holder.runPendingTasks();
        CarryRefusedException refused = assertThrows(CarryRefusedException.class, holder::checkException,
                "the holder of the larger message is refused on its own event loop");
        assertEquals(600, refused.messageBytes());
        assertFalse(holder.writeInbound(part(large, 10, large.length)), "nothing more is read after the refusal");

        assertTrue(newcomer.writeInbound(part(small, 10, small.length)));
        assertBytesAndRelease(small, newcomer.readInbound());
        assertEquals(0, budget.held());
        assertFalse(holder.finish());
        assertFalse(newcomer.finish());
    }

    @Test
    void aLargerMessageThatCompletesAfterItsReservationWasTakenIsRefusedNotHandedOn() {
        byte[] large = query(600);
        byte[] small = query(500);
        EmbeddedChannel holder = framer();
        EmbeddedChannel newcomer = framer();
        holder.writeInbound(part(large, 0, 10));
        newcomer.writeInbound(part(small, 0, 10));

        // The rest arrives before the holder's event loop hears that its reservation is gone.
        assertThrows(CarryRefusedException.class, () -> holder.writeInbound(part(large, 10, large.length)));
        assertEquals(500, budget.held(), "only the newcomer's reservation");
        assertTrue(newcomer.writeInbound(part(small, 10, small.length)));
        assertBytesAndRelease(small, newcomer.readInbound());
        assertEquals(0, budget.held());
        assertFalse(holder.finish(), "the larger message is never handed on");
        assertFalse(newcomer.finish());
    }

    @Test
    void aMessageWhoseHeaderSpansReadsIsReservedWhenTheHeaderCompletes() {
        byte[] held = query(500);
        EmbeddedChannel holder = framer();
        holder.writeInbound(part(held, 0, 10));
        byte[] query = query(600);
        EmbeddedChannel channel = framer();
        assertFalse(channel.writeInbound(part(query, 0, 3)), "a header's first bytes reserve nothing");
        assertEquals(500, budget.held());
        assertThrows(CarryRefusedException.class, () -> channel.writeInbound(part(query, 3, 20)));
        assertEquals(500, budget.held());
        assertFalse(channel.finish());
        assertFalse(holder.finish());
        assertEquals(0, budget.held(), "a closed connection gives its reservation back");
    }

    @Test
    void messagesThatArriveWholeReserveNothing() {
        byte[] query = query(LIMIT * 2);
        EmbeddedChannel channel = framer();
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(query)), "twice the bound, but whole in one read");
        assertBytesAndRelease(query, channel.readInbound());
        assertEquals(0, budget.held());
        assertFalse(channel.finish());
    }

    @Test
    void aConnectionThatClosesInsideAGatheredMessageGivesItsReservationBack() {
        byte[] query = query(700);
        EmbeddedChannel channel = framer();
        channel.writeInbound(part(query, 0, query.length - 1));
        assertEquals(700, budget.held());
        assertFalse(channel.finish(), "the truncated message is never handed on");
        assertEquals(0, budget.held());
    }

    @Test
    void aBudgetMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new CarryBudget(0));
        assertTrue(CarryBudget.ofDirectMemory().limit() > 0);
    }
}
