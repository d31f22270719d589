package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class TerminateTest {
    @Test
    void encodesTagAndLengthOnly() {
        assertBytesAndRelease(Bytes.hex("58 00000004"), Terminate.encode(ByteBufAllocator.DEFAULT));
    }
}
