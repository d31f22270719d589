package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.frontend.StartupMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class NegotiateProtocolVersionTest {
    @Test
    void encodesTheNewestVersionAsAWholeVersionNumberAndTheUnrecognizedOptions() {
        assertBytesAndRelease(Bytes.of()
                        .hex("76 0000001e")
                        .hex("00030000")          // newest version: 3.0 (196608), as PostgreSQL sends it
                        .hex("00000002")          // two options not recognised
                        .cstring("_pq_.foo").cstring("_pq_.bar")
                        .build(),
                new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, List.of("_pq_.foo", "_pq_.bar"))
                        .encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void encodesAnAnswerToA32ClientWithoutOptions() {
        assertBytesAndRelease(Bytes.hex("76 0000000c 00030000 00000000"),
                new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, List.of()).encode(ByteBufAllocator.DEFAULT));
    }
}
