package io.pgmux.codec;

import static io.pgmux.protocol.Bytes.assertBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.protocol.frontend.StartupMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StartupPacketDecoderTest {
    private static final int MAX = 1 << 20;
    private static final String DECODER = "startup";
    private static final String NEXT = "app";

    /** As psql sends it: protocol 3.0 and parameters in the client's order. */
    private static final byte[] STARTUP = Bytes.of()
            .hex("0000004d 00030000")
            .cstring("user").cstring("alice")
            .cstring("database").cstring("shop")
            .cstring("application_name").cstring("psql")
            .cstring("client_encoding").cstring("UTF8")
            .int8(0)
            .build();
    private static final byte[] PASSWORD = Bytes.hex("70 0000000b 736563726574 00"); // 'p' "secret"
    /** A second password-phase message, as a SASLResponse follows a SASLInitialResponse. */
    private static final byte[] SASL_RESPONSE = Bytes.message('p', Bytes.of().ascii("c=biws,r=nonce,p=proof").build());
    private static final byte[] QUERY = Bytes.hex("51 0000000d 53454c4543542031 00"); // 'Q' "SELECT 1"

    private static final byte[] CANCEL_REQUEST = Bytes.hex("00000010 04d2162e 00003039 deadbeef");

    /** The decoder, then a handler that frames what follows the StartupMessage itself, as the client handler does. */
    private EmbeddedChannel channel(int maxMessageSize) {
        EmbeddedChannel channel = new EmbeddedChannel();
        owner = new FramingOwner(maxMessageSize);
        channel.pipeline().addLast(DECODER, new StartupPacketDecoder());
        channel.pipeline().addLast(NEXT, owner);
        return channel;
    }

    /** The next handler of the last channel made; kept, since a closed channel's pipeline is emptied. */
    private FramingOwner owner;

    private MessageFramer framer(EmbeddedChannel channel) {
        return owner.framer();
    }

    private static void assertPsqlStartup(Object decoded) {
        StartupMessage message = assertInstanceOf(StartupMessage.class, decoded);
        assertEquals(0x00030000, message.protocolVersion());
        assertEquals(List.of("user", "database", "application_name", "client_encoding"),
                List.copyOf(message.parameters().keySet()), "parameters in wire order");
        assertEquals(Map.of("user", "alice", "database", "shop", "application_name", "psql",
                "client_encoding", "UTF8"), message.parameters());
    }

    private void assertStillInStartupPhase(EmbeddedChannel channel) {
        assertInstanceOf(StartupPacketDecoder.class, channel.pipeline().get(DECODER));
        assertNull(framer(channel));
    }

    @Test
    void startupMessageLayoutIsWhatTheTestThinksItIs() {
        assertEquals(0x4d, STARTUP.length, "the hand-written length word matches the packet");
    }

    @Test
    void decodesAStartupMessageWithItsParametersInOrder() {
        EmbeddedChannel channel = channel(MAX);
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(STARTUP)));
        assertPsqlStartup(channel.readInbound());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    /** Encryption is negotiated before this decoder; a request that reaches it is one too many. */
    @ParameterizedTest
    @ValueSource(strings = {"00000008 04d2162f", "00000008 04d21630"})
    void refusesAnEncryptionRequestAsTheUnsupportedProtocolItsCodeReadsAs(String packet) {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(Bytes.hex(packet), STARTUP)));
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().startsWith("unsupported frontend protocol 1234.56"), violation.getMessage());
        assertEquals("0A000", violation.error("").sqlState());
        assertNull(channel.readInbound(), "nothing decoded, not even the StartupMessage behind it");
        assertEquals(1, errors.caught.size(), "nothing read after the violation");
        assertFalse(channel.finish());
    }

    @Test
    void decodesACancelRequest() {
        EmbeddedChannel channel = channel(MAX);
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(CANCEL_REQUEST)));
        assertEquals(new CancelRequest(12345, 0xdeadbeef), channel.readInbound());
        assertNull(channel.readInbound());
        assertStillInStartupPhase(channel);
        assertFalse(channel.finish());
    }

    /** PostgreSQL handles the CancelRequest and reads nothing more; a second one in the same packet is ignored. */
    @Test
    void ignoresWhateverFollowsACancelRequestAndStopsReading() {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        byte[] other = Bytes.hex("00000010 04d2162e 00000001 00000002");
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(CANCEL_REQUEST, other, Bytes.hex("ff"))));
        assertEquals(new CancelRequest(12345, 0xdeadbeef), channel.readInbound());
        assertNull(channel.readInbound(), "the second CancelRequest is not decoded");
        assertFalse(channel.config().isAutoRead(), "nothing more is read from the socket");
        assertFalse(channel.finish(), "nothing decoded when the channel closes either");
        errors.assertNone();
    }

    @Test
    void removesItselfAfterTheStartupMessageLeavingTheInputToTheNextHandler() {
        EmbeddedChannel channel = channel(MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(STARTUP));
        assertPsqlStartup(channel.readInbound());

        assertNull(channel.pipeline().get(DECODER));
        assertNull(channel.pipeline().get(StartupPacketDecoder.class));
        assertNotNull(framer(channel), "the next handler frames the typed protocol");
        assertNull(channel.pipeline().get(MessageFramer.class), "no framer of its own in the pipeline");

        // From now on the input is typed messages, cut by the framer inside the next handler.
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(PASSWORD, SASL_RESPONSE)));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertEquals(2, frames.size());
            assertBytes("password", PASSWORD, (ByteBuf) frames.get(0));
            assertBytes("SASL response", SASL_RESPONSE, (ByteBuf) frames.get(1));
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @Test
    void theNextHandlersFramerExpectsAPasswordResponseUntilTheLoginMovesItOn() {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(STARTUP, QUERY)));
        assertPsqlStartup(channel.readInbound());
        assertEquals("expected password response, got message type 81 ('Q')",
                errors.assertProtocolViolation().getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void handsBytesAfterTheStartupMessageInTheSameBufferToTheNextHandlersFramer() {
        EmbeddedChannel channel = channel(MAX);
        ByteBuf in = Unpooled.wrappedBuffer(Bytes.concat(STARTUP, PASSWORD, SASL_RESPONSE));
        channel.writeInbound(in);
        List<Object> out = Inbound.drain(channel);
        try {
            assertEquals(3, out.size(), "StartupMessage, then the two framed messages: " + out);
            assertPsqlStartup(out.get(0));
            assertBytes("password", PASSWORD, assertInstanceOf(ByteBuf.class, out.get(1)));
            assertBytes("SASL response", SASL_RESPONSE, assertInstanceOf(ByteBuf.class, out.get(2)));
        } finally {
            Inbound.releaseAll(out);
        }
        assertEquals(0, in.refCnt(), "the read buffer is released once the frames are");
        // The decoder's own read-complete for the bytes it passes on when it leaves, then the channel's.
        assertEquals(2, owner.readsCompleted, "the ends of the reads reach the framer's owner");
        assertFalse(channel.finish());
    }

    @Test
    void theNextHandlersFramerEnforcesTheConfiguredMaximum() {
        EmbeddedChannel channel = channel(1024);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        byte[] largest = Bytes.message('p', new byte[1024 - 5]);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(STARTUP, largest)));
        List<Object> out = Inbound.drain(channel);
        try {
            assertEquals(2, out.size());
            assertBytes("max-size message", largest, (ByteBuf) out.get(1));
        } finally {
            Inbound.releaseAll(out);
        }
        errors.assertNone();

        channel.writeInbound(Bytes.of().hex("70").int32(1024).buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains("1023"), violation.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void decodesAStartupMessageAndWhatFollowsSplitInTwoAtEveryByteBoundary() {
        byte[] stream = Bytes.concat(STARTUP, PASSWORD, SASL_RESPONSE);
        for (int split = 1; split < stream.length; split++) {
            EmbeddedChannel channel = channel(MAX);
            channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            List<Object> out = Inbound.drain(channel);
            try {
                assertEquals(3, out.size(), "split at " + split + ": " + out);
                assertPsqlStartup(out.get(0));
                assertBytes("split at " + split + ": password", PASSWORD, (ByteBuf) out.get(1));
                assertBytes("split at " + split + ": SASL response", SASL_RESPONSE, (ByteBuf) out.get(2));
            } finally {
                Inbound.releaseAll(out);
            }
            if (channel.finish()) {
                fail("split at " + split + ": something was left in the channel");
            }
        }
    }

    @Test
    void decodesAStartupMessageAndWhatFollowsFedByteByByte() {
        byte[] stream = Bytes.concat(STARTUP, PASSWORD, SASL_RESPONSE);
        EmbeddedChannel channel = channel(MAX);
        List<Object> out = new ArrayList<>();
        try {
            for (int i = 0; i < stream.length; i++) {
                channel.writeInbound(Unpooled.wrappedBuffer(stream, i, 1));
                out.addAll(Inbound.drain(channel));
                int expected = i + 1 < STARTUP.length ? 0
                        : i + 1 < STARTUP.length + PASSWORD.length ? 1
                        : i + 1 < stream.length ? 2 : 3;
                if (out.size() != expected) {
                    fail("after byte " + i + ": " + out.size() + " messages, expected " + expected);
                }
            }
            assertPsqlStartup(out.get(0));
            assertBytes("password", PASSWORD, (ByteBuf) out.get(1));
            assertBytes("SASL response", SASL_RESPONSE, (ByteBuf) out.get(2));
        } finally {
            Inbound.releaseAll(out);
        }
        assertFalse(channel.finish());
    }

    @Test
    void acceptsAStartupMessageOfExactlyTheMaximumLength() {
        int valueLength = 10_000 - 4 - 4 - "user\0alice\0options\0".length() - 1 - 1;
        String value = "x".repeat(valueLength);
        byte[] packet = Bytes.of().int32(10_000).hex("00030000")
                .cstring("user").cstring("alice").cstring("options").cstring(value).int8(0).build();
        assertEquals(10_000, packet.length);
        EmbeddedChannel channel = channel(MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(packet));
        StartupMessage message = assertInstanceOf(StartupMessage.class, channel.readInbound());
        assertEquals(value, message.parameter("options"));
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 7, 10_001, 1 << 20, Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
    void rejectsAPacketLengthOutsideEightToTenThousandAsSoonAsItArrives(int length) {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        // Only the length word: the decoder must not wait for (up to 2 GB of) body.
        channel.writeInbound(Bytes.of().int32(length).buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains(String.valueOf(length)), violation.getMessage());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void acceptsProtocol32ForVersionNegotiation() {
        byte[] packet = Bytes.untyped(Bytes.of().hex("00030002").cstring("user").cstring("alice").int8(0).build());
        EmbeddedChannel channel = channel(MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(packet));
        StartupMessage message = assertInstanceOf(StartupMessage.class, channel.readInbound());
        assertEquals(3, message.majorVersion());
        assertEquals(2, message.minorVersion());
        assertFalse(channel.finish());
    }

    /** Each of these must be refused with a protocol violation, and nothing decoded. */
    private void assertRejected(byte[] packet, String expectedInMessage) {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(packet));
        List<Object> out = Inbound.drain(channel);
        try {
            assertTrue(out.isEmpty(), "nothing decoded: " + out);
        } finally {
            Inbound.releaseAll(out);
        }
        ProtocolException violation = errors.assertProtocolViolation();
        if (expectedInMessage != null) {
            assertTrue(violation.getMessage().contains(expectedInMessage), violation.getMessage());
        }
        assertNull(framer(channel), "no switch to the typed protocol");
        assertFalse(channel.finish());
    }

    @Test
    void rejectsAnUnknownRequestCode() {
        // 1234.5681: the request-code range, but no such request.
        assertRejected(Bytes.hex("00000008 04d21631"), "1234.5681");
    }

    @Test
    void rejectsProtocol4() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00040000").cstring("user").cstring("alice").int8(0).build()),
                "4.0");
    }

    @Test
    void rejectsProtocol0() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00000000").cstring("user").cstring("alice").int8(0).build()),
                "0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00020000", "00010000"})
    void rejectsProtocolsBefore3(String version) {
        assertRejected(Bytes.untyped(Bytes.of().hex(version).cstring("user").cstring("alice").int8(0).build()),
                "unsupported frontend protocol");
    }

    @Test
    void rejectsAStartupMessageWithoutItsFinalNul() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00030000").cstring("user").cstring("alice").build()),
                "terminating NUL");
    }

    @Test
    void rejectsAStartupMessageWhoseValueIsNotTerminated() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00030000").cstring("user").ascii("alice").build()),
                "NUL-terminated");
    }

    @Test
    void rejectsARepeatedParameterName() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00030000")
                .cstring("user").cstring("alice").cstring("user").cstring("bob").int8(0).build()), "\"user\"");
    }

    @Test
    void rejectsBytesAfterTheTerminator() {
        assertRejected(Bytes.untyped(Bytes.of().hex("00030000")
                .cstring("user").cstring("alice").int8(0).ascii("xyz").build()), "after its terminator");
    }

    @Test
    void rejectsAnSslRequestWithABody() {
        assertRejected(Bytes.hex("0000000c 04d2162f 00000000"), "SSLRequest");
    }

    @Test
    void rejectsAGssEncRequestWithABody() {
        assertRejected(Bytes.hex("0000000c 04d21630 00000000"), "GSSENCRequest");
    }

    /** The length word and the code are enough to tell these apart from any valid packet: no waiting for more. */
    @ParameterizedTest
    @ValueSource(strings = {"00000064 04d21631", "00000064 00040000", "00000064 00020000", "00000064 04d2162f",
            "00000100 04d2162e"})
    void rejectsAnImpossiblePacketOnceItsCodeHasArrivedWithoutWaitingForItsBody(String header) {
        assertRejected(Bytes.hex(header), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000008 00040000", "00000008 04d21631"})
    void refusesAnUnsupportedProtocolVersionWithPostgresqlsWordsAnd0A000(String header) {
        EmbeddedChannel channel = channel(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.hex(header)));
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().matches("unsupported frontend protocol \\d+\\.\\d+: server supports 3\\.0 to 3\\.0"),
                violation.getMessage());
        assertEquals("0A000", violation.error("").sqlState());
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000000c 04d2162e 00003039", "00000014 04d2162e 00003039 deadbeef 00000000"})
    void rejectsACancelRequestOfTheWrongLength(String packet) {
        assertRejected(Bytes.hex(packet), "CancelRequest");
    }
}
