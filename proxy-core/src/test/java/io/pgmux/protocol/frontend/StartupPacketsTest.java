package io.pgmux.protocol.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The body-level decoding behind the startup decoder: bodies here start after the length word. */
class StartupPacketsTest {
    private static StartupPacket decode(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        StartupPacket packet = StartupPackets.decode(buf);
        assertEquals(0, buf.readableBytes(), "the whole body is consumed");
        return packet;
    }

    @Test
    void decodesTheRequestCodes() {
        assertInstanceOf(SSLRequest.class, decode(Bytes.hex("04d2162f")));
        assertInstanceOf(GSSENCRequest.class, decode(Bytes.hex("04d21630")));
        assertEquals(new CancelRequest(-1, 0x7fffffff), decode(Bytes.hex("04d2162e ffffffff 7fffffff")));
        assertEquals(80877103, SSLRequest.CODE);
        assertEquals(80877104, GSSENCRequest.CODE);
        assertEquals(80877102, CancelRequest.CODE);
    }

    @Test
    void decodesAStartupMessageWithAnEmptyValue() {
        StartupMessage message = assertInstanceOf(StartupMessage.class, decode(Bytes.of()
                .hex("00030000").cstring("user").cstring("alice").cstring("options").cstring("").hex("00").build()));
        assertEquals("", message.parameter("options"));
        assertEquals(List.of("user", "options"), List.copyOf(message.parameters().keySet()));
    }

    @Test
    void decodesAStartupMessageWithNoParameters() {
        // Legal on the wire; it is the connection's job to insist on a user.
        StartupMessage message = assertInstanceOf(StartupMessage.class, decode(Bytes.hex("00030000 00")));
        assertTrue(message.parameters().isEmpty());
    }

    @Test
    void rejectsABodyTooShortForACode() {
        assertThrows(ProtocolException.class, () -> StartupPackets.decode(Unpooled.wrappedBuffer(Bytes.hex("0003"))));
    }

    @Test
    void rejectsAStartupMessageWithNothingAfterTheVersion() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> StartupPackets.decode(Unpooled.wrappedBuffer(Bytes.hex("00030000"))));
        assertTrue(e.getMessage().contains("terminating NUL"), e.getMessage());
    }
}
