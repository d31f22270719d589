package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class ParameterStatusTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesNameAndValueAsCStrings() {
        assertBytesAndRelease(Bytes.of().hex("53 00000019").cstring("client_encoding").cstring("UTF8").build(),
                new ParameterStatus("client_encoding", "UTF8").encode(ALLOC));
    }

    @Test
    void countsBytesNotCharsInTheLength() {
        // "café" is 5 bytes in UTF-8.
        assertBytesAndRelease(Bytes.of().hex("53 0000001b").cstring("application_name").hex("636166 c3a9 00").build(),
                new ParameterStatus("application_name", "caf\u00e9").encode(ALLOC));
    }

    @Test
    void encodesAnEmptyValue() {
        assertBytesAndRelease(Bytes.of().hex("53 00000011").cstring("search_path").hex("00").build(),
                new ParameterStatus("search_path", "").encode(ALLOC));
    }

    @Test
    void decodesTheBody() {
        assertEquals(new ParameterStatus("TimeZone", "Europe/Berlin"), ParameterStatus.decode(
                Unpooled.wrappedBuffer(Bytes.of().cstring("TimeZone").cstring("Europe/Berlin").build())));
    }

    @Test
    void rejectsABodyWithoutTheValueTerminator() {
        assertThrows(ProtocolException.class, () -> ParameterStatus.decode(
                Unpooled.wrappedBuffer(Bytes.of().cstring("TimeZone").ascii("UTC").build())));
    }
}
