package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticationTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesAuthenticationOk() {
        assertBytesAndRelease(Bytes.hex("52 00000008 00000000"), Authentication.ok(ALLOC));
    }

    @Test
    void encodesAuthenticationCleartextPassword() {
        assertBytesAndRelease(Bytes.hex("52 00000008 00000003"), Authentication.cleartextPassword(ALLOC));
    }

    @Test
    void encodesAuthenticationMd5PasswordWithItsSalt() {
        assertBytesAndRelease(Bytes.hex("52 0000000c 00000005 9a00ff7f"),
                Authentication.md5Password(ALLOC, Bytes.hex("9a00ff7f")));
    }

    @Test
    void encodesAuthenticationSaslAsANulTerminatedListEndedByAnEmptyName() {
        assertBytesAndRelease(Bytes.of()
                        .hex("52 00000017 0000000a")
                        .ascii("SCRAM-SHA-256").hex("00")
                        .hex("00")
                        .build(),
                Authentication.sasl(ALLOC, "SCRAM-SHA-256"));
    }

    @Test
    void encodesAuthenticationSaslContinue() {
        assertBytesAndRelease(Bytes.of().hex("52 0000001f 0000000b").ascii("r=abc,s=c2FsdA==,i=4096").build(),
                Authentication.saslContinue(ALLOC, Bytes.utf8("r=abc,s=c2FsdA==,i=4096")));
    }

    @Test
    void encodesAuthenticationSaslFinal() {
        assertBytesAndRelease(Bytes.of().hex("52 00000012 0000000c").ascii("v=dGVzdA==").build(),
                Authentication.saslFinal(ALLOC, Bytes.utf8("v=dGVzdA==")));
    }

    @Test
    void decodesAServersSaslOfferWithTwoMechanisms() {
        Authentication auth = Authentication.decode(Unpooled.wrappedBuffer(Bytes.of()
                .hex("0000000a").cstring("SCRAM-SHA-256-PLUS").cstring("SCRAM-SHA-256").hex("00").build()));
        assertEquals(Authentication.SASL, auth.type());
        assertEquals(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), auth.saslMechanisms());
    }

    @Test
    void decodesAnMd5RequestKeepingTheSalt() {
        Authentication auth = Authentication.decode(Unpooled.wrappedBuffer(Bytes.hex("00000005 01020304")));
        assertEquals(Authentication.MD5_PASSWORD, auth.type());
        assertArrayEquals(Bytes.hex("01020304"), auth.data());
    }

    @Test
    void decodesAuthenticationOkWithNoData() {
        Authentication auth = Authentication.decode(Unpooled.wrappedBuffer(Bytes.hex("00000000")));
        assertEquals(Authentication.OK, auth.type());
        assertEquals(0, auth.data().length);
    }
}
