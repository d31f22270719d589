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

/**
 * Describe: 'S' (statement) or 'P' (portal) and a name. PostgreSQL reads both fields and the end of the message
 * before it looks at the target byte (postgres.c), so a malformed message is refused for its layout first.
 */
class DescribeTest {
    private static final byte[] STATEMENT_S1 = Bytes.hex("44 00000008 53 7331 00");

    private static String refusal(byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message('D', body));
        return assertThrows(ProtocolException.class, () -> Describe.validate(frame)).getMessage();
    }

    @Test
    void readsTargetAndName() {
        ByteBuf frame = Unpooled.wrappedBuffer(STATEMENT_S1);
        assertEquals(Describe.STATEMENT, Describe.target(frame));
        assertEquals("s1", Describe.name(frame));
        assertEquals(0, frame.readerIndex());
        ByteBuf portal = Unpooled.wrappedBuffer(Bytes.hex("44 00000006 50 00"));
        assertEquals(Describe.PORTAL, Describe.target(portal));
        assertEquals("", Describe.name(portal));
    }

    @Test
    void readsRelativeToTheFramesReaderIndex() {
        ByteBuf buffer = Unpooled.wrappedBuffer(Bytes.concat(Bytes.hex("53 00000004"), STATEMENT_S1)).readerIndex(5);
        assertEquals(Describe.STATEMENT, Describe.target(buffer));
        assertEquals("s1", Describe.name(buffer));
        assertDoesNotThrow(() -> Describe.validate(buffer));
        assertEquals(5, buffer.readerIndex());
    }

    @Test
    void encodesTagTargetAndName() {
        assertBytesAndRelease(STATEMENT_S1, Describe.encode(ByteBufAllocator.DEFAULT, Describe.STATEMENT, "s1"));
        assertBytesAndRelease(Bytes.hex("44 00000006 50 00"),
                Describe.encode(ByteBufAllocator.DEFAULT, Describe.PORTAL, ""));
        // The length counts UTF-8 bytes: "\u00e9" is one character and two bytes.
        assertBytesAndRelease(Bytes.hex("44 00000008 53 c3a9 00"),
                Describe.encode(ByteBufAllocator.DEFAULT, Describe.STATEMENT, "\u00e9"));
    }

    @Test
    void whatItEncodesReadsBackAndValidates() {
        String name = "pgmux_0123456789abcdef01234567";
        ByteBuf frame = Describe.encode(ByteBufAllocator.DEFAULT, Describe.STATEMENT, name);
        try {
            assertEquals(Describe.STATEMENT, Describe.target(frame));
            assertEquals(name, Describe.name(frame));
            assertDoesNotThrow(() -> Describe.validate(frame));
            assertDoesNotThrow(() -> FrontendMessages.validate(frame));
        } finally {
            frame.release();
        }
    }

    @Test
    void refusesAnUnknownTargetInPostgresWords() {
        assertEquals("Describe: invalid DESCRIBE message subtype 88", refusal(Bytes.of().int8('X').cstring("s").build()));
        // PostgreSQL reads the byte unsigned.
        assertEquals("Describe: invalid DESCRIBE message subtype 200", refusal(Bytes.of().int8(200).cstring("").build()));
        // Lower case is no statement or portal.
        assertEquals("Describe: invalid DESCRIBE message subtype 115", refusal(Bytes.of().int8('s').cstring("").build()));
    }

    @Test
    void theLayoutIsCheckedBeforeTheTarget() {
        assertEquals("Describe: invalid string in message", refusal(Bytes.of().int8('X').ascii("s").build()));
        assertEquals("Describe: invalid message format", refusal(Bytes.of().int8('X').cstring("s").int8(1).build()));
    }

    @Test
    void refusesAnEmptyBodyAndAMissingName() {
        assertEquals("Describe: no data left in message", refusal(new byte[0]));
        assertEquals("Describe: invalid string in message", refusal(Bytes.of().int8('S').build()));
    }
}
