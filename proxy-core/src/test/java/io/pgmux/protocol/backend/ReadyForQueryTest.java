package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.TransactionStatus;
import org.junit.jupiter.api.Test;

class ReadyForQueryTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesIdle() {
        assertBytesAndRelease(Bytes.hex("5a 00000005 49"), ReadyForQuery.encode(ALLOC, TransactionStatus.IDLE));
    }

    @Test
    void encodesInTransaction() {
        assertBytesAndRelease(Bytes.hex("5a 00000005 54"),
                ReadyForQuery.encode(ALLOC, TransactionStatus.IN_TRANSACTION));
    }

    @Test
    void encodesFailedTransaction() {
        assertBytesAndRelease(Bytes.hex("5a 00000005 45"), ReadyForQuery.encode(ALLOC, TransactionStatus.FAILED));
    }

    @Test
    void readsTheStatusOfAFrameWithoutMovingItsIndexes() {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.hex("5a 00000005 54"));
        assertEquals(TransactionStatus.IN_TRANSACTION, ReadyForQuery.status(frame));
        assertEquals(0, frame.readerIndex());
        assertEquals(6, frame.writerIndex());
    }

    @Test
    void readsTheStatusRelativeToTheReaderIndex() {
        // A frame that does not start at index 0 of its buffer.
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.hex("ffff 5a 00000005 45")).readerIndex(2);
        assertEquals(TransactionStatus.FAILED, ReadyForQuery.status(frame));
        assertEquals(2, frame.readerIndex());
    }

    @Test
    void rejectsAFrameOfTheWrongLength() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> ReadyForQuery.status(Unpooled.wrappedBuffer(Bytes.hex("5a 00000006 49 00"))));
        assertTrue(e.getMessage().contains("ReadyForQuery length: 6"), e.getMessage());
        assertThrows(ProtocolException.class,
                () -> ReadyForQuery.status(Unpooled.wrappedBuffer(Bytes.hex("5a 00000004"))));
    }

    @Test
    void rejectsAnUnknownStatus() {
        assertThrows(ProtocolException.class,
                () -> ReadyForQuery.status(Unpooled.wrappedBuffer(Bytes.hex("5a 00000005 58"))));
    }
}
