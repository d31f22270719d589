package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class CommandCompleteTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesTheTagAsACString() {
        assertBytesAndRelease(Bytes.of().hex("43 00000009").cstring("SHOW").build(),
                new CommandComplete("SHOW").encode(ALLOC));
    }

    @Test
    void encodesATagWithASpace() {
        assertBytesAndRelease(Bytes.of().hex("43 0000000c").cstring("SET a=1").build(),
                new CommandComplete("SET a=1").encode(ALLOC));
    }
}
