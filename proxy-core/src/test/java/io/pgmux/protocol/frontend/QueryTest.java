package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class QueryTest {
    @Test
    void encodesTheQueryAsACString() {
        assertBytesAndRelease(Bytes.hex("51 0000000d 53454c4543542031 00"), // "SELECT 1"
                Query.encode(ByteBufAllocator.DEFAULT, "SELECT 1"));
    }

    @Test
    void countsUtf8BytesInTheLength() {
        // SELECT '\u00e9' is 10 characters and 11 bytes.
        assertBytesAndRelease(Bytes.hex("51 00000010 53454c454354 20 27 c3a9 27 00"),
                Query.encode(ByteBufAllocator.DEFAULT, "SELECT '\u00e9'"));
    }

    @Test
    void encodesAnEmptyQuery() {
        assertBytesAndRelease(Bytes.hex("51 00000005 00"), Query.encode(ByteBufAllocator.DEFAULT, ""));
    }

    @Test
    void checkedTextReadsTheStringWithoutMovingTheIndexes() {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.hex("ff 51 0000000d 53454c4543542031 00")).readerIndex(1);
        assertEquals("SELECT 1", Query.checkedText(frame));
        assertEquals(1, frame.readerIndex());
    }

    @Test
    void checkedTextReadsAnEmptyQuery() {
        assertEquals("", Query.checkedText(Unpooled.wrappedBuffer(Bytes.hex("51 00000005 00"))));
    }

    @Test
    void checkedTextRefusesAMissingTerminator() {
        assertThrows(ProtocolException.class,
                () -> Query.checkedText(Unpooled.wrappedBuffer(Bytes.hex("51 00000006 4142"))));
    }

    @Test
    void checkedTextRefusesBytesAfterTheTerminator() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Query.checkedText(Unpooled.wrappedBuffer(Bytes.hex("51 00000008 41 00 4243"))));
        // PostgreSQL's words for bytes left over after a message's last field.
        assertEquals("Query: invalid message format", e.getMessage());
    }
}
