package io.pgmux.protocol.frontend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layout checks of the messages a client sends after login. Each malformed body is refused with the words
 * PostgreSQL 15 uses for it (checked against a direct connection by MalformedMessagesIT).
 */
class FrontendMessagesTest {
    private static byte[] body(Bytes.Builder builder) {
        return builder.build();
    }

    static Stream<Arguments> wellFormed() {
        return Stream.of(
                Arguments.of('P', body(Bytes.of().cstring("s").cstring("select $1").int16(1).int32(23))),
                Arguments.of('P', body(Bytes.of().cstring("").cstring("").int16(0))),
                Arguments.of('B', body(Bytes.of().cstring("").cstring("s").int16(1).int16(0).int16(2)
                        .int32(1).ascii("7").int32(-1).int16(1).int16(1))),
                Arguments.of('B', body(Bytes.of().cstring("p").cstring("").int16(0).int16(0).int16(0))),
                Arguments.of('D', body(Bytes.of().int8('S').cstring("s"))),
                Arguments.of('D', body(Bytes.of().int8('P').cstring(""))),
                Arguments.of('C', body(Bytes.of().int8('S').cstring("s"))),
                Arguments.of('E', body(Bytes.of().cstring("").int32(0))),
                Arguments.of('Q', body(Bytes.of().cstring("select 1"))),
                Arguments.of('Q', body(Bytes.of().cstring(""))),
                Arguments.of('F', body(Bytes.of().int32(2026).int16(0).int16(1).int32(2).ascii("42").int16(0))),
                Arguments.of('f', body(Bytes.of().cstring("gave up"))),
                Arguments.of('d', body(Bytes.of().ascii("1\tx\n"))),
                Arguments.of('d', new byte[0]),
                Arguments.of('c', new byte[0]),
                Arguments.of('S', new byte[0]),
                Arguments.of('H', new byte[0]));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of('B', new byte[0], "Bind: invalid string in message"),
                Arguments.of('B', body(Bytes.of().cstring("").cstring("s")), "Bind: insufficient data left in message"),
                Arguments.of('B', body(Bytes.of().cstring("").cstring("s").int16(0).int16(1).int32(10).ascii("1")),
                        "Bind: insufficient data left in message"),
                Arguments.of('B', body(Bytes.of().cstring("").cstring("s").int16(0).int16(1).int32(-2)),
                        "Bind: insufficient data left in message"),
                Arguments.of('B', body(Bytes.of().cstring("").cstring("s").int16(0).int16(0).int16(0).int8(1)),
                        "Bind: invalid message format"),
                Arguments.of('P', body(Bytes.of().ascii("abc")), "Parse: invalid string in message"),
                Arguments.of('P', body(Bytes.of().cstring("s").cstring("select 1")), "Parse: insufficient data left in message"),
                Arguments.of('P', body(Bytes.of().cstring("s").cstring("select 1").int16(2).int32(23)),
                        "Parse: insufficient data left in message"),
                Arguments.of('D', new byte[0], "Describe: no data left in message"),
                Arguments.of('D', body(Bytes.of().int8('X').cstring("s")), "Describe: invalid DESCRIBE message subtype 88"),
                Arguments.of('D', body(Bytes.of().int8('S').ascii("s")), "Describe: invalid string in message"),
                Arguments.of('C', body(Bytes.of().int8('X').cstring("s")), "Close: invalid CLOSE message subtype 88"),
                Arguments.of('C', body(Bytes.of().int8('S').cstring("s").int8(0)), "Close: invalid message format"),
                Arguments.of('E', body(Bytes.of().ascii("p")), "Execute: invalid string in message"),
                Arguments.of('E', body(Bytes.of().hex("0000")), "Execute: insufficient data left in message"),
                Arguments.of('E', body(Bytes.of().cstring("").int16(0)), "Execute: insufficient data left in message"),
                Arguments.of('Q', new byte[0], "Query: invalid string in message"),
                Arguments.of('Q', body(Bytes.of().ascii("select 1")), "Query: invalid string in message"),
                Arguments.of('Q', body(Bytes.of().cstring("select 1").cstring("select 2")), "Query: invalid message format"),
                Arguments.of('F', body(Bytes.of().int32(2026).int16(0).int16(1)), "FunctionCall: insufficient data left in message"),
                Arguments.of('f', new byte[0], "CopyFail: invalid string in message"),
                Arguments.of('S', body(Bytes.of().ascii("xx")), "Sync: invalid message format"),
                Arguments.of('H', body(Bytes.of().ascii("xx")), "Flush: invalid message format"),
                Arguments.of('c', body(Bytes.of().int8(0)), "CopyDone: invalid message format"),
                Arguments.of('Z', body(Bytes.of().ascii("I")), "unexpected message type 'Z' from the client"),
                Arguments.of((char) 1, new byte[0], "unexpected message type \\x01 from the client"));
    }

    @ParameterizedTest
    @MethodSource("wellFormed")
    void acceptsWellFormedMessages(char tag, byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message(tag, body));
        assertDoesNotThrow(() -> FrontendMessages.validate(frame));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void refusesMalformedMessagesInPostgresWords(char tag, byte[] body, String message) {
        ByteBuf frame = Unpooled.wrappedBuffer(Bytes.message(tag, body));
        assertEquals(message, assertThrows(ProtocolException.class, () -> FrontendMessages.validate(frame)).getMessage());
    }

    @ParameterizedTest
    @MethodSource("wellFormed")
    void checksOnlyTheFrameFromItsReaderIndex(char tag, byte[] body) {
        // A slice of a larger read buffer, as the framer emits it.
        byte[] message = Bytes.message(tag, body);
        ByteBuf read = Unpooled.wrappedBuffer(Bytes.concat(new byte[] {'x', 'y'}, message, Bytes.message('S', new byte[0])));
        assertDoesNotThrow(() -> FrontendMessages.validate(read.slice(2, message.length)));
    }
}
