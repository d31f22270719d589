package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytes;
import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Bind as pgmux reads and renames it. Its layout (protocol docs, "Message Formats"): portal, statement, int16 count
 * of parameter format codes and the codes, int16 count of values (each an int32 length, -1 for NULL, and the
 * bytes), int16 count of result format codes and the codes. Refusals carry the words of PostgreSQL's pqformat.c.
 */
class BindTest {
    /** Portal "p1", statement "s1", formats (text, binary), values ("42", NULL), one result format (binary). */
    private static final byte[] NAMED = Bytes.of().hex("42 00000020").cstring("p1").cstring("s1")
            .hex("0002 0000 0001").hex("0002 00000002 3432 ffffffff").hex("0001 0001").build();
    /** The unnamed portal bound to the unnamed statement, nothing else. */
    private static final byte[] UNNAMED = Bytes.hex("42 0000000c 00 00 0000 0000 0000");
    private static final byte[] SYNC = Bytes.hex("53 00000004");

    private static ByteBuf frame(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    /** {@code message} as the frame of a larger read buffer: behind a Sync, so that its readerIndex is 5. */
    private static ByteBuf behindASync(byte[] message) {
        return Unpooled.wrappedBuffer(Bytes.concat(SYNC, message)).readerIndex(SYNC.length);
    }

    private static String refusal(byte[] body) {
        ByteBuf frame = frame(Bytes.message('B', body));
        return assertThrows(ProtocolException.class, () -> Bind.validate(frame)).getMessage();
    }

    @Test
    void theFramesAreWhatTheTestThinksTheyAre() {
        assertEquals(0x20 + 1, NAMED.length);
        assertEquals(0x0c + 1, UNNAMED.length);
        assertDoesNotThrow(() -> Bind.validate(frame(NAMED)));
        assertDoesNotThrow(() -> Bind.validate(frame(UNNAMED)));
    }

    @Test
    void readsTheStatementNameAfterThePortal() {
        ByteBuf named = frame(NAMED);
        assertEquals("s1", Bind.statementName(named));
        assertEquals(0, named.readerIndex());
        assertEquals(NAMED.length, named.writerIndex());
        assertEquals("", Bind.statementName(frame(UNNAMED)));
    }

    @Test
    void readsTheStatementNameOfAnUnnamedPortal() {
        byte[] bind = Bytes.of().hex("42 0000000e").hex("00").cstring("s1").hex("0000 0000 0000").build();
        assertEquals("s1", Bind.statementName(frame(bind)));
    }

    /** Whether a statement is named, whatever the portal; the unnamed portal bound to the unnamed statement is not. */
    @Test
    void tellsANamedStatementWithoutMovingTheFrame() {
        byte[] unnamedPortalNamedStatement = Bytes.of().hex("42 0000000e").hex("00").cstring("s1")
                .hex("0000 0000 0000").build();
        byte[] namedPortalUnnamedStatement = Bytes.of().hex("42 0000000e").cstring("p1").hex("00")
                .hex("0000 0000 0000").build();
        ByteBuf named = frame(NAMED);
        assertTrue(Bind.hasStatementName(named));
        assertEquals(0, named.readerIndex());
        assertTrue(Bind.hasStatementName(frame(unnamedPortalNamedStatement)));
        assertFalse(Bind.hasStatementName(frame(namedPortalUnnamedStatement)));
        assertFalse(Bind.hasStatementName(frame(UNNAMED)));
        assertTrue(Bind.hasStatementName(behindASync(NAMED)));
        assertFalse(Bind.hasStatementName(behindASync(UNNAMED)));
    }

    @Test
    void readsRelativeToTheFramesReaderIndex() {
        ByteBuf buffer = behindASync(NAMED);
        assertEquals("s1", Bind.statementName(buffer));
        assertEquals(SYNC.length, buffer.readerIndex());
        assertEquals("", Bind.statementName(behindASync(UNNAMED)));
        assertDoesNotThrow(() -> Bind.validate(behindASync(NAMED)));
    }

    @Test
    void readsANonAsciiStatementName() {
        byte[] bind = Bytes.of().hex("42 00000010").hex("00").cstring("st\u00e9").hex("0000 0000 0000").build();
        assertEquals("st\u00e9", Bind.statementName(frame(bind)));
    }

    @Test
    void renamingKeepsPortalParametersAndFormatsByteForByte() {
        ByteBuf original = frame(NAMED);
        ByteBuf renamed = Bind.withStatementName(ByteBufAllocator.DEFAULT, original, "pgmux_0123456789abcdef01234567");
        // The length grows by the 28 bytes the name grew by: 0x20 + 0x1c = 0x3c.
        assertBytesAndRelease(Bytes.of().hex("42 0000003c").cstring("p1").cstring("pgmux_0123456789abcdef01234567")
                .hex("0002 0000 0001").hex("0002 00000002 3432 ffffffff").hex("0001 0001").build(), renamed);
        assertBytes("the client's frame is left as it came", NAMED, original);
        assertEquals(0, original.readerIndex());
    }

    @Test
    void renamingTheUnnamedPortalsStatement() {
        ByteBuf renamed = Bind.withStatementName(ByteBufAllocator.DEFAULT,
                frame(Bytes.of().hex("42 0000000e").hex("00").cstring("s1").hex("0000 0000 0000").build()), "x");
        assertBytesAndRelease(Bytes.of().hex("42 0000000d").hex("00").cstring("x").hex("0000 0000 0000").build(),
                renamed);
    }

    @Test
    void renamingCountsUtf8BytesInTheLength() {
        // "\u00e9t\u00e9" is 3 characters and 5 bytes.
        ByteBuf renamed = Bind.withStatementName(ByteBufAllocator.DEFAULT, frame(UNNAMED), "\u00e9t\u00e9");
        assertBytesAndRelease(Bytes.hex("42 00000011 00 c3a974c3a9 00 0000 0000 0000"), renamed);
    }

    @Test
    void renamingReadsOnlyTheFrameFromItsReaderIndex() {
        ByteBuf buffer = behindASync(NAMED);
        ByteBuf renamed = Bind.withStatementName(ByteBufAllocator.DEFAULT, buffer, "s22");
        assertBytesAndRelease(Bytes.of().hex("42 00000021").cstring("p1").cstring("s22")
                .hex("0002 0000 0001").hex("0002 00000002 3432 ffffffff").hex("0001 0001").build(), renamed);
        assertEquals(SYNC.length, buffer.readerIndex());
    }

    @Test
    void acceptsWhatPostgresReadsWithoutComplaint() {
        // A zero-length value is an empty value, not NULL.
        assertDoesNotThrow(() -> Bind.validate(frame(Bytes.message('B', Bytes.of().cstring("").cstring("s")
                .int16(0).int16(1).int32(0).int16(0).build()))));
        // One format code applies to every parameter.
        assertDoesNotThrow(() -> Bind.validate(frame(Bytes.message('B', Bytes.of().cstring("").cstring("s")
                .int16(1).int16(1).int16(2).int32(4).int32(7).int32(4).int32(8).int16(0).build()))));
        // Format counts that do not match the values are the server's to report (after the layout, PostgreSQL
        // says "bind message has 2 parameter formats but 1 parameters"): the layout itself is sound.
        assertDoesNotThrow(() -> Bind.validate(frame(Bytes.message('B', Bytes.of().cstring("").cstring("s")
                .int16(2).int16(0).int16(0).int16(1).int32(-1).int16(0).build()))));
    }

    @Test
    void refusesAMissingTerminatorOfEitherName() {
        assertEquals("Bind: invalid string in message", refusal(Bytes.of().ascii("p").build()));
        assertEquals("Bind: invalid string in message", refusal(Bytes.of().cstring("p").ascii("s").build()));
    }

    @Test
    void refusesMissingCounts() {
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).build()));
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(0).build()), "no result format count");
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(0).int8(0).build()), "half a result format count");
    }

    @Test
    void refusesCodesAndValuesThatRunPastTheEnd() {
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(2).int16(0).int16(0).int16(0).build()), "two format codes and no room for the value count");
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(2).int32(-1).int16(0).build()), "a second value missing");
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(0).int16(2).int16(1).build()), "a second result format code missing");
    }

    @Test
    void countsAreUnsigned() {
        // PostgreSQL reads counts with pq_getmsgint(msg, 2), unsigned: 0xffff is 65535 values to read, not -1
        // values to skip (read signed, this message would pass with its last two bytes as the result count).
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(0xffff).int16(0).build()));
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0x8000).int16(0).int16(0).build()));
    }

    @Test
    void refusesANegativeLengthOtherThanNull() {
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(1).int32(-2).int16(0).build()));
        assertEquals("Bind: insufficient data left in message", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(1).int32(Integer.MIN_VALUE).int16(0).build()));
    }

    @Test
    void refusesBytesAfterTheLastField() {
        assertEquals("Bind: invalid message format", refusal(Bytes.of().cstring("").cstring("s")
                .int16(0).int16(1).int32(-1).int16(0).int8(0).build()));
    }
}
