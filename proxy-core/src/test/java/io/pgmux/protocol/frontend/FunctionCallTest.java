package io.pgmux.protocol.frontend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * FunctionCall: int32 function OID, argument format codes, argument values (as in Bind), int16 result format.
 */
class FunctionCallTest {
    /** pg_advisory_unlock_all (OID 2892) with no arguments, text result. */
    private static final byte[] UNLOCK_ALL = Bytes.hex("46 0000000e 00000b4c 0000 0000 0000");

    private static String refusal(byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message('F', body));
        return assertThrows(ProtocolException.class, () -> FunctionCall.validate(frame)).getMessage();
    }

    @Test
    void readsTheFunctionOid() {
        assertEquals(2892, FunctionCall.functionOid(Unpooled.wrappedBuffer(UNLOCK_ALL)));
        ByteBuf buffer = Unpooled.wrappedBuffer(Bytes.concat(Bytes.hex("53 00000004"), UNLOCK_ALL)).readerIndex(5);
        assertEquals(2892, FunctionCall.functionOid(buffer));
        assertEquals(5, buffer.readerIndex());
    }

    @Test
    void aMessageTooShortForAnOidIsRefused() {
        assertThrows(ProtocolException.class,
                () -> FunctionCall.functionOid(Unpooled.wrappedBuffer(Bytes.hex("46 00000007 0000 0b"))));
    }

    @Test
    void acceptsArgumentsAndNulls() {
        assertDoesNotThrow(() -> FunctionCall.validate(Unpooled.wrappedBuffer(UNLOCK_ALL)));
        // pg_advisory_unlock(bigint) (OID 2889): one binary argument, then a NULL one, binary result.
        assertDoesNotThrow(() -> FunctionCall.validate(Unpooled.wrappedBuffer(Bytes.of().hex("46 00000020 00000b49")
                .hex("0001 0001").hex("0002 00000008 0000000000000007 ffffffff").hex("0001").build())));
    }

    @Test
    void refusesATruncatedOrOverlongMessage() {
        assertEquals("FunctionCall: insufficient data left in message", refusal(Bytes.hex("0000")));
        assertEquals("FunctionCall: insufficient data left in message", refusal(Bytes.hex("00000b4c 0000 0000")),
                "no result format");
        assertEquals("FunctionCall: insufficient data left in message",
                refusal(Bytes.hex("00000b4c 0000 0001 00000004 00 0000")), "an argument shorter than its length");
        assertEquals("FunctionCall: invalid message format", refusal(Bytes.hex("00000b4c 0000 0000 0000 00")));
    }
}
