package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class ErrorResponseTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesAllFieldsInOrderWithTheTerminator() {
        PgError error = PgError.fatal("28P01", "bad password").withDetail("no such role").withHint("check config");
        assertBytesAndRelease(Bytes.of()
                        .hex("45 00000044")
                        .hex("53").cstring("FATAL")
                        .hex("56").cstring("FATAL")
                        .hex("43").cstring("28P01")
                        .hex("4d").cstring("bad password")
                        .hex("44").cstring("no such role")
                        .hex("48").cstring("check config")
                        .hex("00")
                        .build(),
                ErrorResponse.encode(ALLOC, error));
    }

    @Test
    void withMessageReplacesTheMessageAndKeepsEveryOtherFieldAsItWas() {
        ByteBuf error = Unpooled.wrappedBuffer(Bytes.of()
                .hex("45 00000047")
                .hex("53").cstring("ERROR")
                .hex("43").cstring("08P01")
                .hex("4d").cstring("statement \"pgmux_1\"")
                .hex("46").cstring("postgres.c")
                .hex("52").cstring("exec_bind_message")
                .hex("00")
                .build());
        assertBytesAndRelease(Bytes.of()
                        .hex("45 00000042")
                        .hex("53").cstring("ERROR")
                        .hex("43").cstring("08P01")
                        .hex("4d").cstring("statement \"s1\"")
                        .hex("46").cstring("postgres.c")
                        .hex("52").cstring("exec_bind_message")
                        .hex("00")
                        .build(),
                ErrorResponse.withMessage(ALLOC, error, "statement \"s1\""));
        assertEquals(1, error.refCnt(), "the caller's");
        error.release();
    }

    @Test
    void leavesOutDetailAndHintWhenAbsent() {
        assertBytesAndRelease(Bytes.of()
                        .hex("45 00000028")
                        .hex("53").cstring("ERROR")
                        .hex("56").cstring("ERROR")
                        .hex("43").cstring("08P01")
                        .hex("4d").cstring("bad password")
                        .hex("00")
                        .build(),
                ErrorResponse.encode(ALLOC, PgError.error("08P01", "bad password")));
    }

    @Test
    void encodesANoticeWithItsOwnTag() {
        assertBytesAndRelease(Bytes.of()
                        .hex("4e 00000032")
                        .hex("53").cstring("NOTICE")
                        .hex("56").cstring("NOTICE")
                        .hex("43").cstring("00000")
                        .hex("4d").cstring("waiting for a server")
                        .hex("00")
                        .build(),
                ErrorResponse.encodeNotice(ALLOC, new PgError(PgError.NOTICE, "00000", "waiting for a server",
                        null, null)));
    }

    @Test
    void countsBytesNotCharsInTheLength() {
        // "zu lange Verzögerung": ö is 2 bytes, so the message field is 21 bytes plus NUL.
        assertBytesAndRelease(Bytes.of()
                        .hex("45 00000031")
                        .hex("53").cstring("ERROR")
                        .hex("56").cstring("ERROR")
                        .hex("43").cstring("57014")
                        .hex("4d").ascii("zu lange Verz").hex("c3b6").ascii("gerung").hex("00")
                        .hex("00")
                        .build(),
                ErrorResponse.encode(ALLOC, PgError.error("57014", "zu lange Verz\u00f6gerung")));
    }

    private static PgError decode(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        PgError result = ErrorResponse.decode(buf);
        assertEquals(0, buf.readableBytes(), "the whole body is consumed");
        return result;
    }

    @Test
    void decodesWhatPostgresSendsIgnoringFieldsItDoesNotKnow() {
        // SELECT * FROM nope, as PostgreSQL 16 reports it: position, file, line and routine fields included.
        PgError error = decode(Bytes.of()
                .hex("53").cstring("ERROR")
                .hex("56").cstring("ERROR")
                .hex("43").cstring("42P01")
                .hex("4d").cstring("relation \"nope\" does not exist")
                .hex("50").cstring("15")
                .hex("46").cstring("parse_relation.c")
                .hex("4c").cstring("1449")
                .hex("52").cstring("parserOpenTable")
                .hex("00")
                .build());
        assertEquals(new PgError("ERROR", "42P01", "relation \"nope\" does not exist", null, null), error);
    }

    @Test
    void decodesDetailAndHintAndSkipsFieldCodesNobodyKnowsYet() {
        PgError error = decode(Bytes.of()
                .hex("53").cstring("FATAL")
                .hex("56").cstring("FATAL")
                .hex("43").cstring("53300")
                .hex("7a").cstring("a field from the future")
                .hex("4d").cstring("sorry, too many clients already")
                .hex("44").cstring("max_connections is 100")
                .hex("48").cstring("try later")
                .hex("ff").cstring("\u00e9")
                .hex("00")
                .build());
        assertEquals(new PgError("FATAL", "53300", "sorry, too many clients already", "max_connections is 100",
                "try later"), error);
    }

    @Test
    void prefersTheNonLocalizedSeverity() {
        PgError error = decode(Bytes.of()
                .hex("53").cstring("FEHLER")
                .hex("56").cstring("ERROR")
                .hex("43").cstring("42601")
                .hex("4d").cstring("Syntaxfehler")
                .hex("00")
                .build());
        assertEquals("ERROR", error.severity());
    }

    @Test
    void usesTheOnlySeverityAnOldServerSends() {
        // Servers before 9.6 send no V field.
        PgError error = decode(Bytes.of()
                .hex("53").cstring("FATAL")
                .hex("43").cstring("57P01")
                .hex("4d").cstring("terminating connection due to administrator command")
                .hex("00")
                .build());
        assertEquals("FATAL", error.severity());
        assertEquals(true, error.isFatal());
    }

    @Test
    void prefersTheNonLocalizedSeverityWhicheverComesFirst() {
        PgError error = decode(Bytes.of()
                .hex("56").cstring("ERROR")
                .hex("53").cstring("FEHLER")
                .hex("43").cstring("42601")
                .hex("4d").cstring("Syntaxfehler")
                .hex("00")
                .build());
        assertEquals("ERROR", error.severity());
    }

    @Test
    void rejectsAFieldValueWithoutTerminator() {
        assertThrows(ProtocolException.class, () -> ErrorResponse.decode(Unpooled.wrappedBuffer(Bytes.of()
                .hex("53").cstring("ERROR")
                .hex("4d").ascii("cut short")
                .build())));
    }
}
