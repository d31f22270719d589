package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class EmptyQueryResponseTest {
    @Test
    void isATagAndALengthOfFour() {
        assertBytesAndRelease(Bytes.hex("49 00000004"), EmptyQueryResponse.encode(ByteBufAllocator.DEFAULT));
    }
}
