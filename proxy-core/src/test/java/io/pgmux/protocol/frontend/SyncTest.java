package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class SyncTest {
    @Test
    void encodesTagAndLengthOnly() {
        assertBytesAndRelease(Bytes.hex("53 00000004"), Sync.encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void whatItEncodesIsAValidSync() {
        ByteBuf sync = Sync.encode(ByteBufAllocator.DEFAULT);
        try {
            assertDoesNotThrow(() -> FrontendMessages.validate(sync));
        } finally {
            sync.release();
        }
    }
}
