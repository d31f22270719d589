package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class SASLInitialResponseTest {
    private static final String CLIENT_FIRST = "n,,n=,r=rOprNGfwEbeRWgbNEkqO";

    private static ByteBuf body(String declaredLengthHex) {
        return Unpooled.wrappedBuffer(Bytes.of()
                .cstring("SCRAM-SHA-256").hex(declaredLengthHex).ascii(CLIENT_FIRST).build());
    }

    @Test
    void encodesMechanismLengthAndData() {
        assertBytesAndRelease(Bytes.of()
                        .hex("70 00000032")
                        .cstring("SCRAM-SHA-256")
                        .hex("0000001c")
                        .ascii(CLIENT_FIRST)
                        .build(),
                new SASLInitialResponse("SCRAM-SHA-256", Bytes.utf8(CLIENT_FIRST)).encode(ByteBufAllocator.DEFAULT));
    }

    @Test
    void decodesMechanismAndData() {
        ByteBuf body = body("0000001c");
        SASLInitialResponse response = SASLInitialResponse.decode(body);
        assertEquals("SCRAM-SHA-256", response.mechanism());
        assertArrayEquals(Bytes.utf8(CLIENT_FIRST), response.data());
        assertEquals(0, body.readableBytes());
    }

    @Test
    void decodesEmptyData() {
        SASLInitialResponse response = SASLInitialResponse.decode(
                Unpooled.wrappedBuffer(Bytes.of().cstring("SCRAM-SHA-256").hex("00000000").build()));
        assertEquals(0, response.data().length);
    }

    @Test
    void rejectsADeclaredLengthLongerThanTheData() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(body("0000001d")));
        assertTrue(e.getMessage().contains("29") && e.getMessage().contains("28"), e.getMessage());
    }

    @Test
    void rejectsADeclaredLengthShorterThanTheData() {
        assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(body("0000001b")));
    }

    @Test
    void rejectsANegativeDeclaredLength() {
        assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(body("fffffffe")));
    }

    @Test
    void rejectsAHugeDeclaredLength() {
        assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(body("7fffffff")));
    }

    @Test
    void rejectsAMechanismWithoutTerminator() {
        assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(
                Unpooled.wrappedBuffer(Bytes.of().ascii("SCRAM-SHA-256").build())));
    }

    @Test
    void rejectsABodyTooShortForTheLengthWordAsAProtocolViolation() {
        assertThrows(ProtocolException.class, () -> SASLInitialResponse.decode(
                Unpooled.wrappedBuffer(Bytes.of().cstring("SCRAM-SHA-256").hex("0000").build())));
    }
}
