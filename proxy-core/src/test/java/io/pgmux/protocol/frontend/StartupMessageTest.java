package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupMessageTest {
    private static Map<String, String> params(String... keysAndValues) {
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            result.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return result;
    }

    @Test
    void encodesVersionAndParametersInOrderWithTheFinalNul() {
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_0,
                params("user", "alice", "database", "shop"));
        assertBytesAndRelease(Bytes.of()
                        .hex("00000022 00030000")
                        .cstring("user").cstring("alice")
                        .cstring("database").cstring("shop")
                        .hex("00")
                        .build(),
                message.encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void encodesLongParametersBeyondTheInitialBufferEstimate() {
        String options = "-c search_path=" + "s".repeat(300);
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_0,
                params("user", "u", "options", options));
        // 4 + 4 + "user\0u\0" (7) + "options\0" (8) + 315 + NUL + final NUL = 340
        assertBytesAndRelease(Bytes.of()
                        .hex("00000154 00030000")
                        .cstring("user").cstring("u")
                        .cstring("options").cstring(options)
                        .hex("00")
                        .build(),
                message.encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void protocol30IsMajor3Minor0() {
        assertEquals(0x00030000, StartupMessage.PROTOCOL_3_0);
        StartupMessage message = new StartupMessage(0x00030002, Map.of());
        assertEquals(3, message.majorVersion());
        assertEquals(2, message.minorVersion());
    }

    @Test
    void keepsAnUnmodifiableCopyOfTheParametersInOrder() {
        Map<String, String> source = params("user", "alice", "database", "shop", "application_name", "psql");
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_0, source);
        source.put("user", "mallory");
        assertEquals("alice", message.parameter("user"));
        assertNull(message.parameter("options"));
        assertEquals(List.of("user", "database", "application_name"), List.copyOf(message.parameters().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> message.parameters().put("x", "y"));
    }
}
