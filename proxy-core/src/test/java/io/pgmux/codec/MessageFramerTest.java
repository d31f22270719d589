package io.pgmux.codec;

import static io.pgmux.protocol.Bytes.assertBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageFramerTest {
    /** Large enough for the 70 kB CopyData below. */
    private static final int MAX = 1 << 20;

    private static final byte[] PARSE = Bytes.message('P', Bytes.of()
            .cstring("s1").cstring("SELECT $1::int4 + 1").int16(1).int32(23).build());
    private static final byte[] BIND = Bytes.message('B', Bytes.of()
            .cstring("").cstring("s1")
            .int16(1).int16(0)                 // one parameter format code: text
            .int16(1).int32(2).ascii("41")     // one parameter value: "41"
            .int16(1).int16(1)                 // one result format code: binary
            .build());
    private static final byte[] DESCRIBE = Bytes.message('D', Bytes.of().int8('P').cstring("").build());
    private static final byte[] EXECUTE = Bytes.message('E', Bytes.of().cstring("").int32(0).build());
    private static final byte[] SYNC = Bytes.hex("53 00000004");
    private static final byte[] QUERY = Bytes.message('Q', Bytes.of().cstring("COPY t FROM STDIN").build());
    /** Random payload on purpose: it is full of bytes that would look like tags and lengths out of step. */
    private static final byte[] COPY_DATA = Bytes.message('d', randomBytes(70_000, 7));
    private static final byte[] COPY_DONE = Bytes.hex("63 00000004");

    private static final List<byte[]> MESSAGES =
            List.of(PARSE, BIND, DESCRIBE, EXECUTE, SYNC, QUERY, COPY_DATA, COPY_DONE, SYNC);
    private static final byte[] STREAM = Bytes.concat(MESSAGES.toArray(new byte[0][]));

    private static byte[] randomBytes(int n, long seed) {
        byte[] result = new byte[n];
        new Random(seed).nextBytes(result);
        return result;
    }

    private static EmbeddedChannel framer(int maxMessageSize) {
        return framer(maxMessageSize, ExpectedMessages.FRONTEND);
    }

    private static EmbeddedChannel framer(int maxMessageSize, ExpectedMessages expected) {
        return new EmbeddedChannel(new MessageFramer(maxMessageSize, expected));
    }

    /** The test's own reading of a frame's header, to check the framer's output independently. */
    private static int lengthWord(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes, offset, 4).getInt();
    }

    private static void assertFrames(String context, List<byte[]> expected, List<Object> frames) {
        assertEquals(expected.size(), frames.size(), context + ": number of frames");
        for (int i = 0; i < expected.size(); i++) {
            ByteBuf frame = assertInstanceOf(ByteBuf.class, frames.get(i), context + ": frame " + i);
            assertBytes(context + ": frame " + i, expected.get(i), frame);
        }
    }

    @Test
    void emitsAWholeMessageFromOneBufferAsItIs() {
        for (byte[] message : MESSAGES) {
            EmbeddedChannel channel = framer(MAX);
            ByteBuf in = Unpooled.wrappedBuffer(message);
            assertTrue(channel.writeInbound(in));
            List<Object> frames = Inbound.drain(channel);
            try {
                assertFrames("message '" + (char) message[0] + "'", List.of(message), frames);
            } finally {
                Inbound.releaseAll(frames);
            }
            assertEquals(0, in.refCnt(), "the input buffer is released once its frames are");
            assertFalse(channel.finish());
        }
    }

    @Test
    void cutsCoalescedMessagesIntoZeroCopySlices() {
        EmbeddedChannel channel = framer(MAX);
        ByteBuf in = Unpooled.wrappedBuffer(STREAM);
        assertTrue(channel.writeInbound(in));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("coalesced", MESSAGES, frames);
            int offset = 0;
            for (int i = 0; i < frames.size(); i++) {
                ByteBuf frame = (ByteBuf) frames.get(i);
                // A slice of the read buffer: the very same array, at the message's own offset.
                assertTrue(frame.hasArray(), "frame " + i + " is backed by the input array");
                assertSame(STREAM, frame.array(), "frame " + i + " shares the input array (no copy)");
                assertEquals(offset, frame.arrayOffset() + frame.readerIndex(), "frame " + i + " offset");
                offset += MESSAGES.get(i).length;
            }
            assertTrue(in.refCnt() > 0, "the frames keep the read buffer alive (retained slices)");
        } finally {
            Inbound.releaseAll(frames);
        }
        assertEquals(0, in.refCnt(), "releasing the frames releases the read buffer");
        assertFalse(channel.finish());
    }

    @Test
    void framesAStreamSplitInTwoAtEveryByteBoundary() {
        for (int split = 1; split < STREAM.length; split++) {
            EmbeddedChannel channel = framer(MAX);
            ByteBuf first = Unpooled.wrappedBuffer(STREAM, 0, split);
            ByteBuf second = Unpooled.wrappedBuffer(STREAM, split, STREAM.length - split);
            channel.writeInbound(first);
            channel.writeInbound(second);
            List<Object> frames = Inbound.drain(channel);
            try {
                assertFrames("split at " + split, MESSAGES, frames);
            } finally {
                Inbound.releaseAll(frames);
            }
            if (first.refCnt() != 0 || second.refCnt() != 0) {
                fail("split at " + split + ": input buffers still referenced: " + first.refCnt() + ", "
                        + second.refCnt());
            }
            if (channel.finish()) {
                fail("split at " + split + ": something was left in the channel");
            }
        }
    }

    @Test
    void framesAStreamFedByteByByteEmittingEachMessageOnItsLastByte() {
        int[] ends = new int[MESSAGES.size()];
        int end = 0;
        for (int i = 0; i < ends.length; i++) {
            end += MESSAGES.get(i).length;
            ends[i] = end;
        }
        EmbeddedChannel channel = framer(MAX);
        List<Object> frames = new ArrayList<>();
        try {
            int complete = 0;
            for (int i = 0; i < STREAM.length; i++) {
                channel.writeInbound(Unpooled.wrappedBuffer(STREAM, i, 1));
                while (complete < ends.length && ends[complete] <= i + 1) {
                    complete++;
                }
                frames.addAll(Inbound.drain(channel));
                if (frames.size() != complete) {
                    fail("after byte " + i + ": " + frames.size() + " frames, expected " + complete);
                }
            }
            assertFrames("byte by byte", MESSAGES, frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @Test
    void framesZeroBodyMessages() {
        EmbeddedChannel channel = framer(MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(SYNC, SYNC, Bytes.hex("48 00000004"))));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("Sync, Sync, Flush", List.of(SYNC, SYNC, Bytes.hex("48 00000004")), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @Test
    void waitsForTheWholeHeaderOfAZeroBodyMessage() {
        EmbeddedChannel channel = framer(MAX);
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(SYNC, 0, 4)), "4 of 5 bytes: no frame yet");
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(SYNC, 4, 1)), "5th byte completes the Sync");
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("Sync in two parts", List.of(SYNC), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @Test
    void dropsAnIncompleteMessageWhenTheChannelCloses() {
        EmbeddedChannel channel = framer(MAX);
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(QUERY, 0, QUERY.length - 1)));
        assertFalse(channel.finish(), "a truncated message is never emitted");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, -1, -4, Integer.MIN_VALUE})
    void rejectsLengthsBelowFour(int length) {
        EmbeddedChannel channel = framer(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        // A good message first: it still comes out, then the bad header is refused.
        channel.writeInbound(Bytes.of().bytes(SYNC).hex("51").int32(length).hex("00000000").buf());
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("before the bad header", List.of(SYNC), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains("length: " + length), violation.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void acceptsAMessageOfExactlyTheMaximumSize() {
        int max = 1024;
        byte[] message = Bytes.message('d', new byte[max - 5]);
        assertEquals(max, message.length);
        EmbeddedChannel channel = framer(max);
        channel.writeInbound(Unpooled.wrappedBuffer(message));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("max-size message", List.of(message), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @Test
    void rejectsAMessageOneByteOverTheMaximumNamingLengthAndLimit() {
        int max = 1024;
        byte[] message = Bytes.message('d', new byte[max - 4]);
        assertEquals(max + 1, message.length);
        EmbeddedChannel channel = framer(max);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(message));
        ProtocolException violation = errors.assertProtocolViolation();
        String text = violation.getMessage();
        assertTrue(text.contains("1024"), "names the length word (1024): " + text);
        assertTrue(text.contains("1023"), "names the limit for the length word (1023): " + text);
        assertTrue(Inbound.drain(channel).isEmpty());
        assertFalse(channel.finish());
    }

    @Test
    void rejectsAnOversizedMessageAsSoonAsItsHeaderArrives() {
        EmbeddedChannel channel = framer(1024);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        // Only the header of a 1 GiB CopyData: refused at once, not buffered while the body trickles in.
        channel.writeInbound(Bytes.of().hex("64").int32(1 << 30).buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains(String.valueOf(1 << 30)), violation.getMessage());
        assertTrue(violation.getMessage().contains("1023"), violation.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void namesANonPrintableTagInHexInTheError() {
        EmbeddedChannel channel = framer(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().hex("01 00000002").buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains("\\x01"), violation.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void refusesAnUnknownTypeAtItsFirstByteWithoutWaitingForALengthOrBody() {
        EmbeddedChannel channel = framer(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().bytes(SYNC).hex("5a").buf()); // Sync, then 'Z' alone
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("before the bad type", List.of(SYNC), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        ProtocolException violation = errors.assertProtocolViolation();
        assertEquals("invalid frontend message type 90 ('Z')", violation.getMessage());
        assertEquals("08P01", violation.error("").sqlState());
        assertFalse(channel.finish());
    }

    @Test
    void refusesAnUnknownTypeWithAPlausibleLengthBeforeItsBody() {
        EmbeddedChannel channel = framer(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        // A 1000-byte message of no frontend type: refused now, not once 1000 bytes have come.
        channel.writeInbound(Bytes.of().hex("01").int32(1000).buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains("\\x01"), violation.getMessage());
        assertEquals(1, errors.caught.size(), "one violation: nothing is read after it");
        assertFalse(channel.finish());
        assertEquals(1, errors.caught.size(), "nothing left to decode when the channel closes");
    }

    @ParameterizedTest
    @ValueSource(chars = {'p', 'Z', 'R', 'T', 'v', '1'})
    void aLoggedInClientMaySendOnlyFrontendSessionMessages(char tag) {
        EmbeddedChannel channel = framer(MAX);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.message(tag, new byte[0])));
        assertTrue(errors.assertProtocolViolation().getMessage().startsWith("invalid frontend message type "));
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(chars = {'B', 'C', 'd', 'c', 'f', 'D', 'E', 'H', 'F', 'P', 'Q', 'S', 'X'})
    void framesEveryFrontendSessionMessageType(char tag) {
        byte[] message = Bytes.message(tag, new byte[] {1, 2, 3});
        EmbeddedChannel channel = framer(MAX);
        channel.writeInbound(Unpooled.wrappedBuffer(message));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("'" + tag + "'", List.of(message), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(chars = {'R', 'K', '2', '3', 'C', 'd', 'c', 'G', 'H', 'W', 'D', 'I', 'E', 'V', 'v', 'n', 'N', 'A',
            't', 'S', '1', 's', 'Z', 'T'})
    void framesEveryBackendMessageTypeFromAServer(char tag) {
        byte[] message = Bytes.message(tag, new byte[] {1});
        EmbeddedChannel channel = framer(MAX, ExpectedMessages.BACKEND);
        channel.writeInbound(Unpooled.wrappedBuffer(message));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("'" + tag + "'", List.of(message), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(chars = {'Q', 'P', 'o', 'x', '\0'})
    void refusesFromAServerWhatNoBackendSends(char tag) {
        EmbeddedChannel channel = framer(MAX, ExpectedMessages.BACKEND);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().int8(tag).buf());
        assertTrue(errors.assertProtocolViolation().getMessage().startsWith("invalid backend message type "));
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(chars = {'Q', 'X', 'S', 'Z'})
    void whileAPasswordIsExpectedOnlyPasswordMessagesAreFramed(char tag) {
        EmbeddedChannel channel = framer(MAX, ExpectedMessages.PASSWORD_RESPONSE);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().int8(tag).int32(4).buf());
        assertEquals("expected password response, got message type " + (int) tag + " ('" + tag + "')",
                errors.assertProtocolViolation().getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void aPasswordMessageIsLimitedToPostgresqlsMaximumWhateverMaxMessageSizeAllows() {
        byte[] largest = Bytes.message('p', new byte[65_535 - 4]);
        EmbeddedChannel channel = framer(MAX, ExpectedMessages.PASSWORD_RESPONSE);
        channel.writeInbound(Unpooled.wrappedBuffer(largest));
        List<Object> frames = Inbound.drain(channel);
        try {
            assertFrames("largest password message", List.of(largest), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().hex("70").int32(65_536).buf());
        ProtocolException violation = errors.assertProtocolViolation();
        assertTrue(violation.getMessage().contains("65535"), violation.getMessage());
        assertFalse(channel.finish());
    }

    @Test
    void aSaslMessageIsLimitedToPostgresqlsMaximumAndNamedAsASaslResponse() {
        EmbeddedChannel channel = framer(MAX, ExpectedMessages.SASL_RESPONSE);
        Inbound.Errors errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().hex("70").int32(1025).buf());
        assertTrue(errors.assertProtocolViolation().getMessage().contains("expected: 4 to 1024"));
        assertFalse(channel.finish());

        channel = framer(MAX, ExpectedMessages.SASL_RESPONSE);
        errors = new Inbound.Errors();
        channel.pipeline().addLast(errors);
        channel.writeInbound(Bytes.of().hex("58").buf());
        assertEquals("expected SASL response, got message type 88 ('X')", errors.assertProtocolViolation().getMessage());
        assertFalse(channel.finish());
    }

    /** A client pipelines a Query behind its last password message: the handler moves on between the two. */
    @Test
    void theHandlerCanSwitchPhaseBetweenTwoMessagesOfOneRead() {
        byte[] password = Bytes.message('p', Bytes.of().cstring("secret").build());
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.PASSWORD_RESPONSE);
        List<Object> frames = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(framer, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                frames.add(msg);
                framer.expect(ExpectedMessages.FRONTEND);
            }
        });
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(password, QUERY)));
            assertFrames("password, then query", List.of(password, QUERY), frames);
        } finally {
            Inbound.releaseAll(frames);
        }
        assertFalse(channel.finish());
    }

    /**
     * Random input fed in random chunks: well-formed messages of frontend types mixed with short runs of random
     * bytes (biased towards zero, so some lengths are plausible and some types are not). Each run must end with
     * frames that are exactly a prefix of the input, and then either a protocol violation at a bad type or
     * header, or an incomplete tail; never a hang, never a leak.
     */
    @Test
    @Timeout(60)
    void garbageEitherFramesOrFailsWithAProtocolException() {
        byte[] tags = "BCdcfDEHFPQSX".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Random random = new Random(0x5EED_2024L);
        int runsWithFrames = 0;
        int runsWithViolations = 0;
        int runsWithBoth = 0;
        for (int run = 0; run < 3000; run++) {
            java.io.ByteArrayOutputStream input = new java.io.ByteArrayOutputStream();
            int target = random.nextInt(600);
            while (input.size() < target) {
                if (random.nextInt(3) != 0) {
                    input.writeBytes(Bytes.message((char) tags[random.nextInt(tags.length)],
                            randomBytes(random.nextInt(40), random.nextLong())));
                } else {
                    for (int i = random.nextInt(8); i >= 0; i--) {
                        input.write(random.nextInt(3) == 0 ? random.nextInt(256) : 0);
                    }
                }
            }
            byte[] garbage = input.toByteArray();
            int max = 16 + random.nextInt(256);
            String context = "run " + run + " (max " + max + ", " + garbage.length + " bytes)";

            EmbeddedChannel channel = framer(max);
            Inbound.Errors errors = new Inbound.Errors();
            channel.pipeline().addLast(errors);
            List<Object> frames = new ArrayList<>();
            try {
                int fed = 0;
                while (fed < garbage.length && channel.isOpen()) {
                    int chunk = Math.min(garbage.length - fed, 1 + random.nextInt(64));
                    channel.writeInbound(Unpooled.wrappedBuffer(garbage, fed, chunk));
                    fed += chunk;
                    frames.addAll(Inbound.drain(channel));
                }

                int consumed = 0;
                for (Object each : frames) {
                    ByteBuf frame = assertInstanceOf(ByteBuf.class, each, context);
                    int size = frame.readableBytes();
                    if (size < 5 || !ExpectedMessages.FRONTEND.allows(garbage[consumed])
                            || lengthWord(garbage, consumed + 1) != size - 1 || size > max) {
                        fail(context + ": bad frame of " + size + " bytes at offset " + consumed);
                    }
                    byte[] expected = new byte[size];
                    System.arraycopy(garbage, consumed, expected, 0, size);
                    assertBytes(context + ": frame at offset " + consumed, expected, frame);
                    consumed += size;
                }

                int rest = garbage.length - consumed;
                boolean typeOk = rest > 0 && ExpectedMessages.FRONTEND.allows(garbage[consumed]);
                int length = rest >= 5 ? lengthWord(garbage, consumed + 1) : -1;
                boolean headerOk = rest >= 5 && length >= 4 && length <= max - 1;
                if (errors.caught.isEmpty()) {
                    // Everything left over must be a message still waiting for bytes.
                    if (rest > 0 && (!typeOk || (rest >= 5 && (!headerOk || rest >= length + 1)))) {
                        fail(context + ": stopped at offset " + consumed + " without a frame or an error");
                    }
                } else {
                    errors.assertProtocolViolation();
                    if (rest == 0 || (typeOk && rest < 5)) {
                        fail(context + ": violation raised with " + rest + " bytes left after the frames");
                    }
                    if (typeOk && headerOk) {
                        fail(context + ": violation raised at a valid header (length " + length + ")");
                    }
                }
                runsWithFrames += frames.isEmpty() ? 0 : 1;
                runsWithViolations += errors.caught.isEmpty() ? 0 : 1;
                runsWithBoth += !frames.isEmpty() && !errors.caught.isEmpty() ? 1 : 0;
            } finally {
                Inbound.releaseAll(frames);
            }
            if (channel.finish()) {
                fail(context + ": something was left in the channel");
            }
        }
        // The generator must actually exercise both outcomes, or this test proves little.
        assertTrue(runsWithFrames > 100, "runs with frames: " + runsWithFrames);
        assertTrue(runsWithViolations > 100, "runs with violations: " + runsWithViolations);
        assertTrue(runsWithBoth > 10, "runs with frames and then a violation: " + runsWithBoth);
    }
}
