package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class CancelRequestTest {
    @Test
    void encodesLengthCodeProcessIdAndSecret() {
        assertBytesAndRelease(Bytes.hex("00000010 04d2162e 00003039 deadbeef"),
                new CancelRequest(12345, 0xdeadbeef).encode(ByteBufAllocator.DEFAULT));
    }
}
