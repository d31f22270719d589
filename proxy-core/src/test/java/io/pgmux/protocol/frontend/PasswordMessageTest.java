package io.pgmux.protocol.frontend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class PasswordMessageTest {
    @Test
    void encodesThePasswordAsACString() {
        assertBytesAndRelease(Bytes.hex("70 0000000b 736563726574 00"),
                PasswordMessage.encode(ByteBufAllocator.DEFAULT, Bytes.utf8("secret")));
    }

    @Test
    void encodesAnMd5Response() {
        String md5 = "md5" + "0123456789abcdef0123456789abcdef";
        assertBytesAndRelease(Bytes.of().hex("70 00000028").cstring(md5).build(),
                PasswordMessage.encode(ByteBufAllocator.DEFAULT, Bytes.utf8(md5)));
    }

    @Test
    void decodesTheBody() {
        assertEquals("s\u00e9cret", PasswordMessage.decode(Unpooled.wrappedBuffer(Bytes.hex("73 c3a9 63726574 00"))));
    }

    @Test
    void rejectsABodyWithoutTerminator() {
        assertThrows(ProtocolException.class,
                () -> PasswordMessage.decode(Unpooled.wrappedBuffer(Bytes.hex("736563726574"))));
    }
}
