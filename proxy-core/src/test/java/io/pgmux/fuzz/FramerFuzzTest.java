package io.pgmux.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the MessageFramer in every phase (password, SASL, frontend, backend) and with message limits from the
 * smallest to large, against a reference reading of the protocol written here from the spec ("Message
 * Formats"): for any bytes, cut into any reads, with the phase switched between any two messages, the framer
 * emits exactly the messages the reference finds, byte for byte, and fails with a ProtocolException exactly
 * where the reference finds a violation; it never holds more than the current phase's largest message, and
 * every buffer is released.
 */
@Tag("fuzz")
class FramerFuzzTest {
    /** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH and PG_MAX_SASL_MESSAGE_LENGTH: the longest body plus length word. */
    private static final int PASSWORD_LENGTH_LIMIT = 65_535;
    private static final int SASL_LENGTH_LIMIT = 1024;

    private static final List<ExpectedMessages> PHASES = List.of(ExpectedMessages.PASSWORD_RESPONSE,
            ExpectedMessages.SASL_RESPONSE, ExpectedMessages.FRONTEND, ExpectedMessages.BACKEND);

    @Property
    void framesExactlyWhatTheProtocolSaysAndNothingElse(@ForAll("inputs") byte[] input,
                                                       @ForAll("readSizes") List<Integer> reads,
                                                       @ForAll("phases") List<ExpectedMessages> phases,
                                                       @ForAll("maxMessageSizes") int maxMessageSize) {
        Reference expected = Reference.frame(input, phases, maxMessageSize);
        Actual actual = Actual.frame(Splits.cut(input, reads), phases, maxMessageSize);
        assertEquals(expected.frames, actual.frames, "frames");
        if (expected.violation) {
            assertEquals(1, actual.errors.size(), "one violation, then nothing more is read: " + actual.errors);
            assertInstanceOf(ProtocolException.class, assertInstanceOf(DecoderException.class,
                    actual.errors.get(0)).getCause());
        } else {
            assertTrue(actual.errors.isEmpty(), () -> "no violation expected, got " + actual.errors);
        }
        Statistics.label("outcome").collect(expected.violation ? "violation" : "clean");
        Statistics.label("frames").collect(Math.min(expected.frames.size(), 3) + (expected.frames.size() >= 3 ? "+" : ""));
        Statistics.label("outcome").coverage(c -> c.check("clean").percentage(p -> p > 12));
    }

    @Example
    void everySeedAtEveryBoundaryInEveryPhase() {
        for (var seed : Corpus.load("framer").entrySet()) {
            for (ExpectedMessages phase : PHASES) {
                List<ExpectedMessages> phases = List.of(phase);
                Reference expected = Reference.frame(seed.getValue(), phases, 1 << 20);
                for (int at = 0; at <= seed.getValue().length; at++) {
                    Actual actual = Actual.frame(Splits.at(seed.getValue(), at), phases, 1 << 20);
                    assertEquals(expected.frames, actual.frames, seed.getKey() + " cut at " + at);
                    assertEquals(expected.violation, !actual.errors.isEmpty(), seed.getKey() + " cut at " + at);
                }
            }
        }
    }

    /** The spec's framing, read independently of the framer: type byte, int32 length counting itself, body. */
    private static final class Reference {
        final List<String> frames = new ArrayList<>();
        boolean violation;

        static Reference frame(byte[] input, List<ExpectedMessages> phases, int maxMessageSize) {
            Reference result = new Reference();
            int at = 0;
            while (at < input.length) {
                ExpectedMessages phase = phases.get(result.frames.size() % phases.size());
                if (!phase.allows(input[at])) {
                    result.violation = true;
                    return result;
                }
                if (input.length - at < 5) {
                    return result;
                }
                int length = ByteBuffer.wrap(input, at + 1, 4).getInt();
                if (length < 4 || length > maxLength(phase, maxMessageSize)) {
                    result.violation = true;
                    return result;
                }
                if (input.length - at - 1 < length) {
                    return result;
                }
                result.frames.add(ByteBufUtil.hexDump(input, at, length + 1));
                at += length + 1;
            }
            return result;
        }
    }

    /** The largest length word a phase accepts: the message size limit less the type byte. */
    static int maxLength(ExpectedMessages phase, int maxMessageSize) {
        int phaseLimit = phase == ExpectedMessages.PASSWORD_RESPONSE ? PASSWORD_LENGTH_LIMIT
                : phase == ExpectedMessages.SASL_RESPONSE ? SASL_LENGTH_LIMIT : Integer.MAX_VALUE;
        return Math.min(maxMessageSize - 1, phaseLimit);
    }

    /** The framer on an EmbeddedChannel, its phase switched after each frame as a login or a session would. */
    private static final class Actual extends ChannelInboundHandlerAdapter {
        final List<String> frames = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        private final List<ExpectedMessages> phases;
        private final MessageFramer framer;

        private Actual(List<ExpectedMessages> phases, MessageFramer framer) {
            this.phases = phases;
            this.framer = framer;
        }

        static Actual frame(List<byte[]> reads, List<ExpectedMessages> phases, int maxMessageSize) {
            TrackingAllocator alloc = new TrackingAllocator();
            MessageFramer framer = new MessageFramer(maxMessageSize, phases.get(0));
            Actual actual = new Actual(phases, framer);
            EmbeddedChannel channel = new EmbeddedChannel(false, true);
            channel.config().setAllocator(alloc);
            channel.pipeline().addLast(framer, actual);
            try {
                channel.register();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            for (byte[] read : reads) {
                if (!channel.isOpen()) {
                    break;
                }
                channel.writeInbound(alloc.buffer(Math.max(1, read.length)).writeBytes(read));
                channel.checkException();
                if (channel.isOpen()) {
                    int held = HeldBytes.of(framer);
                    ExpectedMessages phase = phases.get(actual.frames.size() % phases.size());
                    if (held > maxLength(phase, maxMessageSize) + 1) {
                        fail("the framer holds " + held + " bytes; the phase's largest message is "
                                + (maxLength(phase, maxMessageSize) + 1));
                    }
                }
            }
            channel.close();
            for (Object each = channel.readInbound(); each != null; each = channel.readInbound()) {
                io.netty.util.ReferenceCountUtil.release(each); // what a torn-down decoder hands the tail
            }
            channel.finish();
            alloc.assertAllReleased("framer after " + reads.size() + " reads");
            return actual;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                frames.add(ByteBufUtil.hexDump(frame));
            } finally {
                frame.release();
            }
            framer.expect(phases.get(frames.size() % phases.size()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close(); // as the client and server handlers do on a violation
        }
    }

    @Provide
    Arbitrary<byte[]> inputs() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Mutations.of(Corpus.seeds("framer"), 4, 64)),
                net.jqwik.api.Tuple.of(1, wellFramed()));
    }

    /** Streams of well-framed messages of frontend types with arbitrary bodies: deep into a session. */
    private static Arbitrary<byte[]> wellFramed() {
        Arbitrary<byte[]> message = net.jqwik.api.Combinators.combine(
                Arbitraries.of((byte) 'B', (byte) 'C', (byte) 'd', (byte) 'c', (byte) 'f', (byte) 'D', (byte) 'E',
                        (byte) 'H', (byte) 'F', (byte) 'P', (byte) 'Q', (byte) 'S', (byte) 'X', (byte) 'p'),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                .as((tag, body) -> ByteBuffer.allocate(5 + body.length).put(tag).putInt(4 + body.length).put(body)
                        .array());
        return message.list().ofMinSize(1).ofMaxSize(8).map(list -> {
            ByteBuffer all = ByteBuffer.allocate(list.stream().mapToInt(m -> m.length).sum());
            list.forEach(all::put);
            return all.array();
        });
    }

    @Provide
    Arbitrary<List<Integer>> readSizes() {
        return Mutations.readSizes();
    }

    @Provide
    Arbitrary<List<ExpectedMessages>> phases() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just(List.of(ExpectedMessages.FRONTEND))),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(PHASES).list().ofMinSize(1).ofMaxSize(4)));
    }

    @Provide
    Arbitrary<Integer> maxMessageSizes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(5, 300)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(1 << 20)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Integer.MAX_VALUE)));
    }
}
