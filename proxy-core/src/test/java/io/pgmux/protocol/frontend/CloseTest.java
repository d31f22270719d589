package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/** Close: Describe's layout under its own tag, and PostgreSQL's words naming Close when it is malformed. */
class CloseTest {
    private static final byte[] STATEMENT_S1 = Bytes.hex("43 00000008 53 7331 00");

    private static String refusal(byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message('C', body));
        return assertThrows(ProtocolException.class, () -> Close.validate(frame)).getMessage();
    }

    @Test
    void readsTargetAndName() {
        ByteBuf frame = Unpooled.wrappedBuffer(STATEMENT_S1);
        assertEquals(Describe.STATEMENT, Close.target(frame));
        assertEquals("s1", Close.name(frame));
        ByteBuf portal = Unpooled.wrappedBuffer(Bytes.hex("ff ff 43 00000007 50 70 00")).readerIndex(2);
        assertEquals(Describe.PORTAL, Close.target(portal));
        assertEquals("p", Close.name(portal));
        assertEquals(2, portal.readerIndex());
    }

    @Test
    void encodesUnderTheCloseTag() {
        assertBytesAndRelease(STATEMENT_S1, Close.encode(ByteBufAllocator.DEFAULT, Describe.STATEMENT, "s1"));
        assertBytesAndRelease(Bytes.hex("43 0000000c 53 70676d75785f 00"), // "pgmux_"
                Close.encode(ByteBufAllocator.DEFAULT, Describe.STATEMENT, "pgmux_"));
    }

    @Test
    void whatItEncodesReadsBackAndValidates() {
        ByteBuf frame = Close.encode(ByteBufAllocator.DEFAULT, Describe.PORTAL, "cursor \u00e9");
        try {
            assertEquals(Describe.PORTAL, Close.target(frame));
            assertEquals("cursor \u00e9", Close.name(frame));
            assertDoesNotThrow(() -> Close.validate(frame));
            assertDoesNotThrow(() -> FrontendMessages.validate(frame));
        } finally {
            frame.release();
        }
    }

    @Test
    void refusesAnUnknownTargetInPostgresWords() {
        assertEquals("Close: invalid CLOSE message subtype 88", refusal(Bytes.of().int8('X').cstring("s").build()));
        assertEquals("Close: invalid CLOSE message subtype 0", refusal(Bytes.of().int8(0).cstring("").build()));
        assertEquals("Close: invalid CLOSE message subtype 255", refusal(Bytes.of().int8(0xff).cstring("").build()));
    }

    @Test
    void refusesABrokenLayoutBeforeLookingAtTheTarget() {
        assertEquals("Close: no data left in message", refusal(new byte[0]));
        assertEquals("Close: invalid string in message", refusal(Bytes.of().int8('Q').build()));
        assertEquals("Close: invalid message format", refusal(Bytes.of().int8('Q').cstring("").cstring("").build()));
    }
}
