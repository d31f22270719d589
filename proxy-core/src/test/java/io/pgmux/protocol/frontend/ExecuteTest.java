package io.pgmux.protocol.frontend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/** Execute: a portal name and an int32 row limit (zero or less: all rows, as PostgreSQL reads it). */
class ExecuteTest {
    private static String refusal(byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message('E', body));
        return assertThrows(ProtocolException.class, () -> Execute.validate(frame)).getMessage();
    }

    @Test
    void acceptsAnyRowLimit() {
        assertDoesNotThrow(() -> Execute.validate(Unpooled.wrappedBuffer(Bytes.hex("45 00000009 00 00000000"))));
        assertDoesNotThrow(() -> Execute.validate(Unpooled.wrappedBuffer(Bytes.hex("45 0000000b 7031 00 00000064"))));
        assertDoesNotThrow(() -> Execute.validate(Unpooled.wrappedBuffer(Bytes.hex("45 00000009 00 ffffffff"))));
    }

    @Test
    void checksOnlyTheFrameFromItsReaderIndex() {
        ByteBuf buffer = Unpooled.wrappedBuffer(Bytes.hex("53 00000004 45 00000009 00 00000000")).readerIndex(5);
        assertDoesNotThrow(() -> Execute.validate(buffer));
        assertEquals(5, buffer.readerIndex());
    }

    @Test
    void refusesATruncatedOrOverlongMessage() {
        assertEquals("Execute: invalid string in message", refusal(new byte[0]));
        assertEquals("Execute: insufficient data left in message", refusal(Bytes.of().cstring("").build()));
        assertEquals("Execute: insufficient data left in message", refusal(Bytes.of().cstring("p").hex("000000").build()));
        assertEquals("Execute: invalid message format", refusal(Bytes.of().cstring("").int32(0).int8(0).build()));
    }
}
