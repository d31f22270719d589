package io.pgmux.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.Bind;
import io.pgmux.protocol.frontend.Close;
import io.pgmux.protocol.frontend.Describe;
import io.pgmux.protocol.frontend.FrontendMessages;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.protocol.frontend.PasswordMessage;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.SASLInitialResponse;
import io.pgmux.protocol.frontend.SASLResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the checks of client messages: FrontendMessages.validate on well-framed messages of every frontend type
 * with arbitrary bodies, and the decoders of the login messages. A check refuses only with a ProtocolException
 * (FATAL 08P01 for the client), and a message it lets through can be read by every reader pgmux applies to it
 * later (statement and portal names, the query text, a Describe's target) without an exception: a malformed
 * message must fail as it arrives, never later on a server's path. No check keeps or frees the buffer.
 */
@Tag("fuzz")
class FrontendChecksFuzzTest {
    private static final byte[] TAGS = {FrontendTag.PARSE, FrontendTag.BIND, FrontendTag.DESCRIBE, FrontendTag.CLOSE,
        FrontendTag.EXECUTE, FrontendTag.QUERY, FrontendTag.FUNCTION_CALL, FrontendTag.COPY_FAIL, FrontendTag.SYNC,
        FrontendTag.FLUSH, FrontendTag.COPY_DONE, FrontendTag.COPY_DATA};

    @Property
    void aMessageIsRefusedAsItArrivesOrReadableLater(@ForAll("frames") byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            try {
                FrontendMessages.validate(buf);
            } catch (ProtocolException refused) {
                Statistics.label("outcome").collect("refused");
                return;
            }
            Statistics.label("outcome").collect("accepted " + (char) frame[0]);
            readAsPgmuxWould(buf);
            assertEquals(0, buf.readerIndex(), "a check moved the reader index");
        } catch (RuntimeException e) {
            throw new AssertionError("frame " + io.netty.buffer.ByteBufUtil.hexDump(frame) + " threw " + e, e);
        } finally {
            assertEquals(1, buf.refCnt(), "a check kept or freed the frame");
            buf.release();
        }
    }

    @Property
    void loginMessagesFailOnlyAsProtocolViolations(@ForAll("loginBodies") byte[] body, @ForAll("loginDecoders") int which) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            switch (which) {
                case 0 -> PasswordMessage.decode(buf);
                case 1 -> SASLInitialResponse.decode(buf);
                default -> SASLResponse.decode(buf);
            }
        } catch (ProtocolException refused) {
            // the only way to refuse
        } catch (RuntimeException e) {
            throw new AssertionError("login decoder " + which + " threw " + e + " for "
                    + io.netty.buffer.ByteBufUtil.hexDump(body), e);
        } finally {
            assertEquals(1, buf.refCnt());
            buf.release();
        }
    }

    @Example
    void everySeedIsCheckedWithoutSurprises() {
        for (Map.Entry<String, byte[]> seed : Corpus.load("frontend").entrySet()) {
            for (byte[] message : messagesOf(seed.getValue())) {
                try {
                    aMessageIsRefusedAsItArrivesOrReadableLater(message);
                } catch (AssertionError e) {
                    throw new AssertionError(seed.getKey(), e);
                }
            }
        }
    }

    /** What pgmux reads out of a message after it has been let in. */
    private static void readAsPgmuxWould(ByteBuf frame) {
        switch (frame.getByte(0)) {
            case FrontendTag.PARSE -> {
                Parse.statementName(frame);
                Parse.definition(frame);
                int start = Parse.queryStart(frame);
                Parse.queryEnd(frame, start);
                Parse.query(frame);
            }
            case FrontendTag.BIND -> Bind.statementName(frame);
            case FrontendTag.DESCRIBE -> {
                Describe.target(frame);
                Describe.name(frame);
            }
            case FrontendTag.CLOSE -> {
                Close.target(frame);
                Close.name(frame);
            }
            case FrontendTag.QUERY -> {
                Query.text(frame);
                Query.checkedText(frame);
            }
            default -> {
                // nothing more is read from the others
            }
        }
    }

    /** The whole messages of a seed stream (the seeds are well framed). */
    private static List<byte[]> messagesOf(byte[] stream) {
        List<byte[]> result = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.remaining() >= 5) {
            int length = in.getInt(in.position() + 1);
            if (length < 4 || length + 1 > in.remaining()) {
                break;
            }
            byte[] message = new byte[length + 1];
            in.get(message);
            result.add(message);
        }
        return result;
    }

    @Provide
    Arbitrary<byte[]> frames() {
        List<byte[]> seedMessages = new ArrayList<>();
        Corpus.seeds("frontend").forEach(s -> seedMessages.addAll(messagesOf(s)));
        // Mutate a seed message's body, then frame it again with its own tag and a correct length: the framer
        // has checked the length before any of these checks runs.
        Arbitrary<byte[]> mutated = Mutations.of(seedMessages, 3, 48).map(FrontendChecksFuzzTest::reframe);
        Arbitrary<byte[]> any = Combinators.combine(Arbitraries.of(boxed()),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(48))
                .as((tag, body) -> frame(tag, body));
        return Arbitraries.oneOf(mutated, any);
    }

    private static byte[] reframe(byte[] mutated) {
        if (mutated.length == 0) {
            return frame(FrontendTag.SYNC, new byte[0]);
        }
        byte tag = mutated[0];
        boolean known = false;
        for (byte each : TAGS) {
            known |= each == tag;
        }
        byte[] body = java.util.Arrays.copyOfRange(mutated, Math.min(5, mutated.length), mutated.length);
        return frame(known ? tag : FrontendTag.PARSE, body);
    }

    private static byte[] frame(byte tag, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put(tag).putInt(4 + body.length).put(body).array();
    }

    private static Byte[] boxed() {
        Byte[] result = new Byte[TAGS.length];
        for (int i = 0; i < TAGS.length; i++) {
            result[i] = TAGS[i];
        }
        return result;
    }

    @Provide
    Arbitrary<byte[]> loginBodies() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Combinators.combine(Arbitraries.strings().ofMaxLength(16), Arbitraries.integers().between(-2, 64),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(32))
                        .as((mechanism, length, data) -> ByteBuffer.allocate(mechanism.length() * 3 + 5 + data.length)
                                .put(mechanism.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put((byte) 0)
                                .putInt(length).put(data).flip()).map(b -> {
                                    byte[] out = new byte[b.remaining()];
                                    b.get(out);
                                    return out;
                                }));
    }

    @Provide
    Arbitrary<Integer> loginDecoders() {
        return Arbitraries.integers().between(0, 2);
    }
}
