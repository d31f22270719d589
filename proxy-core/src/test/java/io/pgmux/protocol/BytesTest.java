package io.pgmux.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The test helper itself: if it were wrong, every byte-exact test would be wrong with it. */
class BytesTest {
    @Test
    void parsesHexIgnoringGrouping() {
        assertArrayEquals(new byte[] {0x52, 0, 0, 0, 8, (byte) 0xde, (byte) 0xad}, Bytes.hex("52 0000_0008 de:ad"));
    }

    @Test
    void writesBigEndianIntegersAndCStrings() {
        assertArrayEquals(new byte[] {0x12, 0x34, 0x56, 0x78, (byte) 0xab, (byte) 0xcd, 'h', 'i', 0, 7},
                Bytes.of().int32(0x12345678).int16(0xabcd).cstring("hi").int8(7).build());
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
                Bytes.of().int32(-2).build());
    }

    @Test
    void buildsTypedAndUntypedMessagesWithTheSpecLength() {
        assertArrayEquals(new byte[] {'Q', 0, 0, 0, 6, 'x', 0}, Bytes.message('Q', new byte[] {'x', 0}));
        assertArrayEquals(new byte[] {'S', 0, 0, 0, 4}, Bytes.message('S', new byte[0]));
        assertArrayEquals(new byte[] {0, 0, 0, 6, 1, 2}, Bytes.untyped(new byte[] {1, 2}));
    }

    @Test
    void mismatchShowsHexDumpsOfBoth() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> Bytes.assertBytes(Bytes.hex("5a 00000005 49"),
                        Unpooled.wrappedBuffer(Bytes.hex("5a 00000005 54"))));
        String text = failure.getMessage();
        assertTrue(text.contains("first difference at offset 5"), text);
        assertTrue(text.contains("5a 00 00 00 05 49") && text.contains("5a 00 00 00 05 54"), text);
    }

    @Test
    void comparesOnlyTheReadableBytes() {
        Bytes.assertBytes(Bytes.hex("0102"), Unpooled.wrappedBuffer(Bytes.hex("ff 0102")).skipBytes(1));
        assertThrows(AssertionFailedError.class,
                () -> Bytes.assertBytes(Bytes.hex("0102"), Unpooled.wrappedBuffer(Bytes.hex("0102 03"))));
    }
}
