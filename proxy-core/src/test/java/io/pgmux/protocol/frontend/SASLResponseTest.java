package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class SASLResponseTest {
    @Test
    void encodesTheDataWithoutTerminator() {
        assertBytesAndRelease(Bytes.of().hex("70 0000000f").ascii("c=biws,r=ab").build(),
                SASLResponse.encode(ByteBufAllocator.DEFAULT, Bytes.utf8("c=biws,r=ab")));
    }

    @Test
    void decodesTheWholeBody() {
        assertArrayEquals(Bytes.hex("00 ff 41"), SASLResponse.decode(Unpooled.wrappedBuffer(Bytes.hex("00 ff 41"))));
    }
}
