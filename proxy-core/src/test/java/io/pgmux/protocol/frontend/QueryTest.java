package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import org.junit.jupiter.api.Test;

class QueryTest {
    @Test
    void encodesTheQueryAsACString() {
        assertBytesAndRelease(Bytes.hex("51 0000000d 53454c4543542031 00"), // "SELECT 1"
                Query.encode(ByteBufAllocator.DEFAULT, "SELECT 1"));
    }

    @Test
    void countsUtf8BytesInTheLength() {
        // SELECT '\u00e9' is 10 characters and 11 bytes.
        assertBytesAndRelease(Bytes.hex("51 00000010 53454c454354 20 27 c3a9 27 00"),
                Query.encode(ByteBufAllocator.DEFAULT, "SELECT '\u00e9'"));
    }

    @Test
    void encodesAnEmptyQuery() {
        assertBytesAndRelease(Bytes.hex("51 00000005 00"), Query.encode(ByteBufAllocator.DEFAULT, ""));
    }
}
