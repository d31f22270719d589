package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import java.util.List;
import org.junit.jupiter.api.Test;

class NegotiateProtocolVersionTest {
    @Test
    void encodesNewestMinorVersionAndUnrecognizedOptions() {
        assertBytesAndRelease(Bytes.of()
                        .hex("76 0000001e")
                        .hex("00000000")          // newest minor version: 3.0
                        .hex("00000002")          // two options not recognised
                        .cstring("_pq_.foo").cstring("_pq_.bar")
                        .build(),
                new NegotiateProtocolVersion(0, List.of("_pq_.foo", "_pq_.bar")).encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void encodesAnAnswerToA32ClientWithoutOptions() {
        assertBytesAndRelease(Bytes.hex("76 0000000c 00000000 00000000"),
                new NegotiateProtocolVersion(0, List.of()).encode(ByteBufAllocator.DEFAULT));
    }
}
