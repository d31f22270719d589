package io.pgmux.protocol.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class ParseTest {
    /** Parse "s1": SELECT $1::int4, one parameter of type int4 (OID 23). */
    private static final byte[] NAMED = Bytes.of()
            .hex("50 0000001d").cstring("s1").cstring("SELECT $1::int4").hex("0001 00000017").build();
    /** The same statement, unnamed. */
    private static final byte[] UNNAMED = Bytes.of()
            .hex("50 0000001b").hex("00").cstring("SELECT $1::int4").hex("0001 00000017").build();

    @Test
    void theFramesAreWhatTheTestThinksTheyAre() {
        assertEquals(0x1d + 1, NAMED.length);
        assertEquals(0x1b + 1, UNNAMED.length);
    }

    @Test
    void seesANamedStatement() {
        ByteBuf frame = Unpooled.wrappedBuffer(NAMED);
        assertTrue(Parse.hasStatementName(frame));
        assertEquals("s1", Parse.statementName(frame));
        assertEquals(0, frame.readerIndex());
        assertEquals(NAMED.length, frame.writerIndex());
    }

    @Test
    void seesTheUnnamedStatement() {
        ByteBuf frame = Unpooled.wrappedBuffer(UNNAMED);
        assertFalse(Parse.hasStatementName(frame));
        assertEquals("", Parse.statementName(frame));
        assertEquals(0, frame.readerIndex());
    }

    @Test
    void readsRelativeToTheFramesReaderIndex() {
        // The frame starts at index 5 of its buffer, behind a Sync.
        ByteBuf buffer = Unpooled.wrappedBuffer(Bytes.concat(Bytes.hex("53 00000004"), NAMED));
        buffer.readerIndex(5);
        assertTrue(Parse.hasStatementName(buffer));
        assertEquals("s1", Parse.statementName(buffer));
        assertEquals(5, buffer.readerIndex());

        ByteBuf unnamed = Unpooled.wrappedBuffer(Bytes.concat(Bytes.hex("53 00000004"), UNNAMED)).readerIndex(5);
        assertFalse(Parse.hasStatementName(unnamed));
    }

    @Test
    void readsANonAsciiName() {
        byte[] frame = Bytes.of().hex("50 00000014").cstring("st\u00e9").cstring("SELECT 1").hex("0000").build();
        assertTrue(Parse.hasStatementName(Unpooled.wrappedBuffer(frame)));
        assertEquals("st\u00e9", Parse.statementName(Unpooled.wrappedBuffer(frame)));
    }

    @Test
    void doesNotReadPastATruncatedFrame() {
        ByteBuf headerOnly = Unpooled.wrappedBuffer(Bytes.hex("50 00000004"));
        assertFalse(Parse.hasStatementName(headerOnly));
        // A Parse without even its name's terminator is malformed: the client gets 08P01.
        org.junit.jupiter.api.Assertions.assertThrows(io.pgmux.protocol.ProtocolException.class,
                () -> Parse.statementName(headerOnly));
    }
}
