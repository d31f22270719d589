package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.pgmux.codec.StartupPacketDecoder;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.protocol.frontend.StartupMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncryptionNegotiatorTest {
    private static final byte[] SSL_REQUEST = Bytes.hex("00000008 04d2162f");
    private static final byte[] GSSENC_REQUEST = Bytes.hex("00000008 04d21630");
    private static final byte[] CANCEL_REQUEST = Bytes.hex("00000010 04d2162e 00003039 deadbeef");
    private static final byte[] STARTUP = Bytes.untyped(Bytes.of().hex("00030000")
            .cstring("user").cstring("alice").int8(0).build());

    /** The client pipeline's first two handlers, and a last one that records errors and closes, as pgmux does. */
    private final Errors errors = new Errors();
    private final EmbeddedChannel channel = new EmbeddedChannel(new EncryptionNegotiator(java.util.Optional.empty()),
            new StartupPacketDecoder(), errors);

    private String answers() {
        StringBuilder answers = new StringBuilder();
        for (ByteBuf each = channel.readOutbound(); each != null; each = channel.readOutbound()) {
            while (each.isReadable()) {
                answers.append((char) each.readByte());
            }
            each.release();
        }
        return answers.toString();
    }

    private void write(byte[]... packets) {
        channel.writeInbound(Unpooled.wrappedBuffer(Bytes.concat(packets)));
    }

    private boolean negotiating() {
        return channel.pipeline().get(EncryptionNegotiator.class) != null;
    }

    @Test
    void declinesAnSslRequestAndStaysForTheNextPacket() {
        write(SSL_REQUEST);
        assertEquals("N", answers());
        assertNull(channel.readInbound(), "the request goes no further");
        assertTrue(negotiating());
        write(STARTUP);
        assertInstanceOf(StartupMessage.class, channel.readInbound());
        assertFalse(negotiating(), "removed itself once the StartupMessage began");
        errors.assertNone();
        assertFalse(channel.finish());
    }

    @Test
    void declinesAGssEncRequestThenAnSslRequestAsLibpqSendsThem() {
        write(GSSENC_REQUEST);
        write(SSL_REQUEST);
        assertEquals("NN", answers());
        write(STARTUP);
        assertInstanceOf(StartupMessage.class, channel.readInbound());
        errors.assertNone();
        assertFalse(channel.finish());
    }

    @Test
    void handsAStartupMessageStraightOnWhenNoEncryptionIsAskedFor() {
        write(STARTUP);
        assertInstanceOf(StartupMessage.class, channel.readInbound());
        assertEquals("", answers());
        assertFalse(negotiating());
        errors.assertNone();
        assertFalse(channel.finish());
    }

    @Test
    void handsACancelRequestOnAfterADeclinedSslRequest() {
        write(SSL_REQUEST);
        write(CANCEL_REQUEST);
        assertEquals("N", answers());
        assertEquals(new CancelRequest(12345, 0xdeadbeef), channel.readInbound());
        errors.assertNone();
        assertFalse(channel.finish());
    }

    @Test
    void anSslRequestArrivingByteByByteIsAnsweredOnItsLastByte() {
        for (int i = 0; i < SSL_REQUEST.length; i++) {
            assertEquals("", answers(), "after " + i + " bytes");
            channel.writeInbound(Unpooled.wrappedBuffer(SSL_REQUEST, i, 1));
        }
        assertEquals("N", answers());
        errors.assertNone();
        assertFalse(channel.finish());
    }

    @Test
    void aStartupMessageInTheSamePacketAsTheSslRequestIsRefusedAfterTheAnswer() {
        write(SSL_REQUEST, STARTUP);
        assertEquals("N", answers(), "PostgreSQL answers the request first");
        PgError error = errors.single();
        assertEquals("08P01", error.sqlState());
        assertEquals("received unencrypted data after SSL request", error.message());
        assertTrue(error.detail().contains("man-in-the-middle"), error.detail());
        assertNull(channel.readInbound(), "the StartupMessage is never decoded");
        assertFalse(channel.finish());
        assertEquals(1, errors.caught.size(), "nothing is read after the violation");
    }

    @Test
    void evenOneByteBehindAGssEncRequestIsRefused() {
        write(GSSENC_REQUEST, Bytes.hex("00"));
        assertEquals("N", answers());
        assertEquals("received unencrypted data after GSSAPI encryption request", errors.single().message());
        assertFalse(channel.finish());
    }

    @Test
    void bytesBehindASecondRequestAreRefusedToo() {
        write(SSL_REQUEST);
        write(GSSENC_REQUEST, STARTUP);
        assertEquals("NN", answers());
        assertEquals("received unencrypted data after GSSAPI encryption request", errors.single().message());
        assertFalse(channel.finish());
    }

    @Test
    void aSecondSslRequestIsRefusedAsTheUnsupportedProtocolItsCodeReadsAs() {
        write(SSL_REQUEST);
        write(SSL_REQUEST);
        assertEquals("N", answers(), "only the first is answered");
        PgError error = errors.single();
        assertEquals("0A000", error.sqlState());
        assertEquals("unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0", error.message());
        assertFalse(channel.finish());
    }

    @Test
    void aSecondGssEncRequestIsRefusedToo() {
        write(GSSENC_REQUEST);
        write(SSL_REQUEST);
        write(GSSENC_REQUEST);
        assertEquals("NN", answers());
        assertEquals("unsupported frontend protocol 1234.5680: server supports 3.0 to 3.0", errors.single().message());
        assertFalse(channel.finish());
    }

    @Test
    void anEightBytePacketWithAnotherCodeGoesToTheStartupDecoder() {
        write(Bytes.hex("00000008 04d21631"));
        assertEquals("", answers());
        assertEquals("unsupported frontend protocol 1234.5681: server supports 3.0 to 3.0", errors.single().message());
        assertFalse(channel.finish());
    }

    @Test
    void anImpossibleLengthGoesToTheStartupDecoderWhichRefusesIt() {
        write(Bytes.hex("00000004"));
        assertEquals("", answers());
        assertTrue(errors.single().message().contains("startup packet length: 4"));
        assertFalse(channel.finish());
    }

    @Test
    void onlyAStartupMessageThatComesInALaterReadThanTheRequestIsAccepted() {
        byte[] stream = Bytes.concat(SSL_REQUEST, STARTUP);
        for (int split = 1; split < stream.length; split++) {
            Errors caught = new Errors();
            EmbeddedChannel each = new EmbeddedChannel(new EncryptionNegotiator(java.util.Optional.empty()), new StartupPacketDecoder(),
                    caught);
            each.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            if (each.isOpen()) {
                each.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            }
            Object decoded = each.readInbound();
            if (split == SSL_REQUEST.length) {
                // The request came alone; the StartupMessage followed in a later read, as after an answer.
                assertInstanceOf(StartupMessage.class, decoded, "split at " + split);
                caught.assertNone();
            } else {
                // Part of the StartupMessage was there when the request was complete: buffered behind it.
                assertNull(decoded, "split at " + split);
                assertEquals("08P01", caught.single().sqlState(), "split at " + split);
            }
            ByteBuf answer = each.readOutbound();
            assertNotNull(answer, "split at " + split + ": answered");
            answer.release();
            if (each.finish()) {
                fail("split at " + split + ": something was left in the channel");
            }
        }
    }

    /** Records what the pipeline raises, as the client handler sees it, and closes the channel. */
    private static final class Errors extends ChannelInboundHandlerAdapter {
        final List<Throwable> caught = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            caught.add(cause);
            ctx.close();
        }

        PgError single() {
            assertEquals(1, caught.size(), () -> "errors: " + caught);
            Throwable cause = assertInstanceOf(DecoderException.class, caught.get(0)).getCause();
            return assertInstanceOf(ProtocolException.class, cause).error("invalid frontend message: ");
        }

        void assertNone() {
            assertTrue(caught.isEmpty(), () -> "unexpected errors: " + caught);
        }
    }
}
