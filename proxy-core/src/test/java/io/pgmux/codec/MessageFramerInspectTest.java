package io.pgmux.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgmux.protocol.Bytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Messages read in place before they are forwarded ({@link MessageRouter.Route#INSPECT}): one the router lets pass
 * stays inside its run, one it takes comes whole, one whose beginning it replaces cuts the run there and its rest
 * opens the next; the router sees the message alone, and the read buffer's indexes are as they were afterwards.
 */
class MessageFramerInspectTest {
    private static final int MAX = 1 << 20;
    private static final byte[] PARSE = Bytes.message('P', Bytes.of().cstring("").cstring("SELECT $1").int16(0)
            .build());
    private static final byte[] BIND_NAMED = Bytes.message('B', Bytes.of().cstring("").cstring("s1").int16(0)
            .int16(1).int32(2).ascii("42").int16(0).build());
    private static final byte[] DESCRIBE = Bytes.message('D', Bytes.of().int8('P').cstring("").build());
    private static final byte[] EXECUTE = Bytes.message('E', Bytes.of().cstring("").int32(0).build());
    private static final byte[] SYNC = Bytes.message('S', new byte[0]);
    /** Where the rest of {@link #BIND_NAMED} starts, after its portal name and the statement name "s1". */
    private static final int BIND_REST = 1 + 4 + 1 + 3;
    private static final byte[] NEW_HEAD = "<head>".getBytes(StandardCharsets.US_ASCII);

    /**
     * Inspects every message: Bind gets a new head, Execute is taken when {@link #takeExecute}, the rest pass.
     * Records events, and the bytes of everything handed on or written, in order.
     */
    private static final class Inspector extends RecordingRouter {
        boolean takeExecute;

        @Override
        public Route route(byte tag, int length) {
            return Route.INSPECT;
        }

        @Override
        public Route inspect(ByteBuf frame) {
            byte tag = frame.getByte(frame.readerIndex());
            events.add("inspect " + (char) tag + " " + frame.readableBytes());
            if (frame.getInt(frame.readerIndex() + 1) + 1 != frame.readableBytes()) {
                throw new AssertionError("the router is shown more or less than the message");
            }
            if (tag == 'B') {
                return Route.REPLACE_HEAD;
            }
            return tag == 'E' && takeExecute ? Route.TAKE : Route.PASS;
        }

        @Override
        public int replaceHead(ByteBuf frame) {
            events.add("head");
            bytes.writeBytes(NEW_HEAD);
            return frame.readerIndex() + BIND_REST;
        }

        @Override
        public void passed(ByteBuf buffer, int index) {
            throw new AssertionError("nothing passes to be read after");
        }
    }

    private static EmbeddedChannel runs(Inspector router) {
        MessageFramer framer = new MessageFramer(MAX, ExpectedMessages.FRONTEND);
        EmbeddedChannel channel = new EmbeddedChannel(framer);
        framer.forwardRuns(router);
        return channel;
    }

    /** The request with the Bind's beginning replaced as the router does it. */
    private static byte[] rewritten(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] each : messages) {
            if (each == BIND_NAMED) {
                out.writeBytes(NEW_HEAD);
                out.write(each, BIND_REST, each.length - BIND_REST);
            } else {
                out.writeBytes(each);
            }
        }
        return out.toByteArray();
    }

    @Test
    void messagesThatPassAfterBeingReadAreOneRunTheReadBufferItself() {
        Inspector router = new Inspector();
        EmbeddedChannel channel = runs(router);
        byte[] request = Bytes.concat(PARSE, DESCRIBE, EXECUTE, SYNC);
        ByteBuf in = Unpooled.wrappedBuffer(request);
        channel.writeInbound(in);
        assertEquals(List.of("inspect P " + PARSE.length, "inspect D " + DESCRIBE.length,
                "inspect E " + EXECUTE.length, "inspect S " + SYNC.length, "run " + request.length), router.events);
        assertSame(in, router.handed.get(0), "the whole read goes on as it is: no slice, no copy");
        router.releaseAll();
        assertEquals(0, in.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void aReplacedHeadCutsTheRunAndTheRestOfTheMessageOpensTheNext() {
        Inspector router = new Inspector();
        EmbeddedChannel channel = runs(router);
        byte[] request = Bytes.concat(PARSE, BIND_NAMED, DESCRIBE, EXECUTE, SYNC);
        ByteBuf in = Unpooled.wrappedBuffer(request);
        channel.writeInbound(in);
        int rest = BIND_NAMED.length - BIND_REST + DESCRIBE.length + EXECUTE.length + SYNC.length;
        assertEquals(List.of("inspect P " + PARSE.length, "inspect B " + BIND_NAMED.length, "run " + PARSE.length,
                "head", "inspect D " + DESCRIBE.length, "inspect E " + EXECUTE.length, "inspect S " + SYNC.length,
                "run " + rest), router.events);
        assertArrayEquals(rewritten(PARSE, BIND_NAMED, DESCRIBE, EXECUTE, SYNC), router.bytes.toByteArray());
        for (ByteBuf each : router.handed) {
            assertSame(request, each.array(), "runs are slices of the read buffer, not copies");
        }
        router.releaseAll();
        assertEquals(0, in.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void aMessageTheRouterTakesAfterReadingComesWholeBetweenRuns() {
        Inspector router = new Inspector();
        router.takeExecute = true;
        EmbeddedChannel channel = runs(router);
        byte[] request = Bytes.concat(PARSE, EXECUTE, SYNC);
        ByteBuf in = Unpooled.wrappedBuffer(request);
        channel.writeInbound(in);
        assertEquals(List.of("inspect P " + PARSE.length, "inspect E " + EXECUTE.length, "run " + PARSE.length,
                "message E", "inspect S " + SYNC.length, "run " + SYNC.length), router.events);
        assertArrayEquals(request, router.bytes.toByteArray());
        assertSame(in, router.handed.get(2), "the run that ends the read is the read buffer itself, no slice");
        router.releaseAll();
        assertEquals(0, in.refCnt());
        assertFalse(channel.finish());
    }

    @Test
    void aMessageToInspectThatSpansReadsComesWholeUnread() {
        Inspector router = new Inspector();
        EmbeddedChannel channel = runs(router);
        byte[] request = Bytes.concat(PARSE, BIND_NAMED, SYNC);
        int cut = PARSE.length + 7; // inside the Bind, its header complete
        ByteBuf first = Unpooled.wrappedBuffer(request, 0, cut);
        channel.writeInbound(first);
        assertEquals(0, first.readerIndex(), "the read buffer's indexes are put back after inspecting");
        assertEquals(cut, first.writerIndex(), "the read buffer's indexes are put back after inspecting");
        channel.writeInbound(Unpooled.wrappedBuffer(request, cut, request.length - cut));
        assertEquals(List.of("inspect P " + PARSE.length, "run " + PARSE.length, "message B",
                "inspect S " + SYNC.length, "run " + SYNC.length), router.events);
        assertArrayEquals(request, router.bytes.toByteArray(), "taken whole, the Bind is the router's to rewrite");
        router.releaseAll();
        assertFalse(channel.finish());
    }
}
