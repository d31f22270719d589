package io.pgmux.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.ProtocolException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The framer handing on runs: pass-through messages leave as contiguous slices of the read buffer, whatever the
 * router declines comes whole, the bytes keep their order, and a pass-through message split across reads is
 * never gathered.
 */
class MessageFramerRunsTest {
    private static final int MAX = 1 << 20;
    private static final byte[] ROW_DESCRIPTION = Bytes.message('T', Bytes.of().int16(1).cstring("aid").int32(0)
            .int16(0).int32(23).int16(4).int32(-1).int16(0).build());
    private static final byte[] DATA_ROW = Bytes.message('D', Bytes.of().int16(1).int32(2).ascii("42").build());
    private static final byte[] COMMAND_COMPLETE = Bytes.message('C', Bytes.of().cstring("SELECT 1").build());
    private static final byte[] READY = Bytes.message('Z', Bytes.of().int8('I').build());
    private static final byte[] BIG_ROW = Bytes.message('D', randomBytes(50_000));
    private static final byte[] ANSWER = Bytes.concat(ROW_DESCRIPTION, DATA_ROW, BIG_ROW, DATA_ROW,
            COMMAND_COMPLETE, READY);

    private static byte[] randomBytes(int n) {
        byte[] result = new byte[n];
        new Random(11).nextBytes(result);
        return result;
    }

    /** Passes every message but ReadyForQuery; records what it is handed, in order. */
    private static final class Recorder extends RecordingRouter {
        String declined = "Z";
        /** Declined messages pass and are read in place instead of being taken. */
        boolean readInPlace;

        @Override
        public Route route(byte tag, int length) {
            return declined.indexOf(tag) < 0 ? Route.PASS : readInPlace ? Route.PASS_AND_READ : Route.TAKE;
        }

        @Override
        public void passed(ByteBuf buffer, int index) {
            events.add("passed " + (char) buffer.getByte(index));
        }
    }

    private static EmbeddedChannel runs(MessageFramer framer, Recorder router) {
        EmbeddedChannel channel = new EmbeddedChannel(framer);
        framer.forwardRuns(router);
        return channel;
    }

    @Test
    void aWholeAnswerInOneReadIsOneRunAndTheInspectedMessage() {
        Recorder router = new Recorder();
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        ByteBuf in = Unpooled.wrappedBuffer(ANSWER);
        channel.writeInbound(in);
        assertEquals(List.of("run " + (ANSWER.length - READY.length), "message Z"), router.events);
        assertArrayEquals(ANSWER, router.bytes.toByteArray());
        ByteBuf run = router.handed.get(0);
        assertSame(ANSWER, run.array(), "the run is a slice of the read buffer, not a copy");
        router.releaseAll();
        assertEquals(0, in.refCnt(), "the runs held the read buffer, and nothing else does");
        assertFalse(channel.finish());
    }

    @Test
    void everySplitInTwoOrThreeKeepsTheBytesAndGathersOnlyWhatIsDeclined() {
        for (int first = 1; first < ANSWER.length; first += 97) {
            for (int second = first + 1; second < ANSWER.length; second += 1499) {
                Recorder router = new Recorder();
                MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
                EmbeddedChannel channel = runs(framer, router);
                List<ByteBuf> reads = List.of(Unpooled.wrappedBuffer(ANSWER, 0, first),
                        Unpooled.wrappedBuffer(ANSWER, first, second - first),
                        Unpooled.wrappedBuffer(ANSWER, second, ANSWER.length - second));
                for (ByteBuf read : reads) {
                    channel.writeInbound(read);
                    assertTrue(framer.carriedBytes() <= READY.length,
                            "only a header or the declined ReadyForQuery is ever held, not " + framer.carriedBytes());
                }
                String context = "reads split at " + first + " and " + second;
                assertArrayEquals(ANSWER, router.bytes.toByteArray(), context);
                assertEquals("message Z", router.events.get(router.events.size() - 1), context);
                assertEquals(1, router.events.stream().filter(e -> e.startsWith("message")).count(), context);
                router.releaseAll();
                for (ByteBuf read : reads) {
                    assertEquals(0, read.refCnt(), context + ": a read buffer is still referenced");
                }
                assertFalse(channel.finish(), context);
            }
        }
    }

    @Test
    void aMessageReadInPlaceGoesOnWithItsRunAndAWholeReadIsHandedOnAsItIs() {
        Recorder router = new Recorder();
        router.readInPlace = true;
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        ByteBuf in = Unpooled.wrappedBuffer(ANSWER);
        channel.writeInbound(in);
        assertEquals(List.of("run " + ANSWER.length, "passed Z"), router.events);
        assertSame(in, router.handed.get(0), "the whole read goes on as it is: no slice");
        router.releaseAll();
        assertEquals(0, in.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void aMessageToReadInPlaceThatSpansReadsComesWholeInstead() {
        Recorder router = new Recorder();
        router.readInPlace = true;
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        int cut = ANSWER.length - 3;
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, 0, cut));
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, cut, 3));
        assertEquals(List.of("run " + (ANSWER.length - READY.length), "message Z"), router.events);
        assertArrayEquals(ANSWER, router.bytes.toByteArray());
        router.releaseAll();
        assertFalse(channel.finish());
    }

    @Test
    void aDeclinedMessageSplitAcrossReadsComesWhole() {
        Recorder router = new Recorder();
        router.declined = "DZ";
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        int cut = ROW_DESCRIPTION.length + DATA_ROW.length + 1000;
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, 0, cut));
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, cut, ANSWER.length - cut));
        assertEquals(List.of("run " + ROW_DESCRIPTION.length, "message D", "message D", "message D",
                "run " + COMMAND_COMPLETE.length, "message Z"), router.events);
        assertArrayEquals(ANSWER, router.bytes.toByteArray());
        router.releaseAll();
        assertFalse(channel.finish());
    }

    @Test
    void aHeaderSplitAcrossReadsIsAskedAboutOnceComplete() {
        Recorder router = new Recorder();
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        int cut = ROW_DESCRIPTION.length + 2; // inside DataRow's length word
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, 0, cut));
        assertEquals(2, framer.carriedBytes(), "the partial header is kept");
        channel.writeInbound(Unpooled.wrappedBuffer(ANSWER, cut, ANSWER.length - cut));
        assertEquals(0, framer.carriedBytes());
        assertEquals(List.of("run " + ROW_DESCRIPTION.length, "run " + MessageFramer.HEADER_LENGTH,
                "run " + (ANSWER.length - ROW_DESCRIPTION.length - MessageFramer.HEADER_LENGTH - READY.length),
                "message Z"), router.events);
        assertArrayEquals(ANSWER, router.bytes.toByteArray());
        router.releaseAll();
        assertFalse(channel.finish());
    }

    @Test
    void whatCameBeforeAViolationIsHandedOnFirstAndNothingAfter() {
        Recorder router = new Recorder();
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        byte[] bad = Bytes.concat(ROW_DESCRIPTION, DATA_ROW, Bytes.hex("51 00000004"), DATA_ROW);
        DecoderException thrown = assertThrows(DecoderException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(bad)));
        assertInstanceOf(ProtocolException.class, thrown.getCause());
        assertEquals(List.of("run " + (ROW_DESCRIPTION.length + DATA_ROW.length)), router.events);
        channel.writeInbound(Unpooled.wrappedBuffer(DATA_ROW));
        assertEquals(1, router.events.size(), "nothing is read after a violation");
        router.releaseAll();
        channel.finish();
    }

    /**
     * While part of a passed message has gone on and the rest has not, its receiver holds half a message: the
     * framer says so, as soon as the header is out (even one split across reads), until the last byte has gone on.
     */
    @Test
    void aPassedMessageSpanningReadsKeepsItsReceiverInsideIt() {
        Recorder router = new Recorder();
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(ROW_DESCRIPTION, DATA_ROW)));
        assertFalse(framer.inMessage(), "whole messages only");
        channel.writeInbound(Unpooled.wrappedBuffer(BIG_ROW, 0, 3));
        assertFalse(framer.inMessage(), "nothing of the row went on: its header is not complete");
        channel.writeInbound(Unpooled.wrappedBuffer(BIG_ROW, 3, 1000));
        assertTrue(framer.inMessage());
        channel.writeInbound(Unpooled.wrappedBuffer(BIG_ROW, 1003, BIG_ROW.length - 1003 - 1));
        assertTrue(framer.inMessage(), "one byte is still to come");
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(new byte[] {BIG_ROW[BIG_ROW.length - 1]},
                COMMAND_COMPLETE)));
        assertFalse(framer.inMessage());
        router.releaseAll();
        channel.finish();
    }

    /**
     * A peer that hangs up after part of a passed message has gone on leaves its receiver with half a message for
     * good: the framer goes on saying so after the close, so that nothing is written after that part as if a
     * message had ended there.
     */
    @Test
    void aHangUpInsideAPassedMessageIsReported() {
        Recorder router = new Recorder();
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel channel = runs(framer, router);
        channel.writeInbound(Unpooled.wrappedBuffer(BIG_ROW, 0, 1000));
        channel.close();
        assertTrue(framer.inMessage());
        router.releaseAll();

        Recorder whole = new Recorder();
        MessageFramer atBoundary = new MessageFramer(MAX, ExpectedMessages.BACKEND);
        EmbeddedChannel other = runs(atBoundary, whole);
        other.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(ROW_DESCRIPTION, DATA_ROW)));
        other.close();
        assertFalse(atBoundary.inMessage());
        whole.releaseAll();
    }
}
