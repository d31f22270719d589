package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class BackendKeyDataTest {
    @Test
    void encodesProcessIdAndSecret() {
        assertBytesAndRelease(Bytes.hex("4b 0000000c 00003039 deadbeef"),
                new BackendKeyData(12345, 0xdeadbeef).encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void decodesTheBody() {
        assertEquals(new BackendKeyData(12345, 0xdeadbeef),
                BackendKeyData.decode(Unpooled.wrappedBuffer(Bytes.hex("00003039 deadbeef"))));
    }

    @Test
    void rejectsABodyOfTheWrongLength() {
        ProtocolException shorter = assertThrows(ProtocolException.class,
                () -> BackendKeyData.decode(Unpooled.wrappedBuffer(Bytes.hex("00003039"))));
        assertTrue(shorter.getMessage().contains("BackendKeyData length: 8"), shorter.getMessage());
        // Protocol 3.2 allows longer keys; pgmux speaks 3.0, where the key is exactly 4 bytes.
        assertThrows(ProtocolException.class,
                () -> BackendKeyData.decode(Unpooled.wrappedBuffer(Bytes.hex("00003039 deadbeef 00"))));
    }
}
