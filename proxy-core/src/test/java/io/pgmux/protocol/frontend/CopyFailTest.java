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

class CopyFailTest {
    @Test
    void encodesTheReasonAsACString() {
        assertBytesAndRelease(Bytes.of().hex("66 0000000b").cstring("gone 1").build(),
                CopyFail.encode(ByteBufAllocator.DEFAULT, "gone 1"));
        assertBytesAndRelease(Bytes.hex("66 00000005 00"), CopyFail.encode(ByteBufAllocator.DEFAULT, ""));
    }

    @Test
    void countsUtf8BytesInTheLength() {
        // "d\u00e9j\u00e0" is 4 characters and 6 bytes.
        assertBytesAndRelease(Bytes.hex("66 0000000b 64c3a96ac3a0 00"), CopyFail.encode(ByteBufAllocator.DEFAULT, "d\u00e9j\u00e0"));
    }

    @Test
    void whatItEncodesValidates() {
        ByteBuf frame = CopyFail.encode(ByteBufAllocator.DEFAULT, "client went away during COPY");
        try {
            assertDoesNotThrow(() -> CopyFail.validate(frame));
        } finally {
            frame.release();
        }
    }

    @Test
    void refusesAMissingTerminatorAndTrailingBytes() {
        ByteBuf unterminated = Unpooled.wrappedBuffer(Bytes.hex("66 00000006 6f6b"));
        assertEquals("CopyFail: invalid string in message",
                assertThrows(ProtocolException.class, () -> CopyFail.validate(unterminated)).getMessage());
        ByteBuf trailing = Unpooled.wrappedBuffer(Bytes.hex("66 00000008 6f6b 00 00"));
        assertEquals("CopyFail: invalid message format",
                assertThrows(ProtocolException.class, () -> CopyFail.validate(trailing)).getMessage());
    }
}
