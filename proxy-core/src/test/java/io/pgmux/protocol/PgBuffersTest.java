package io.pgmux.protocol;

import static io.pgmux.protocol.Bytes.assertBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PgBuffersTest {
    @Test
    void readsACStringAndMovesPastItsTerminator() {
        ByteBuf in = Unpooled.wrappedBuffer(Bytes.hex("75736572 00 616c696365 00 ff"));
        assertEquals("user", PgBuffers.readCString(in));
        assertEquals(5, in.readerIndex());
        assertEquals("alice", PgBuffers.readCString(in));
        assertEquals(11, in.readerIndex());
        assertEquals(1, in.readableBytes());
    }

    @Test
    void readsAnEmptyCString() {
        ByteBuf in = Unpooled.wrappedBuffer(Bytes.hex("00 41 00"));
        assertEquals("", PgBuffers.readCString(in));
        assertEquals("A", PgBuffers.readCString(in));
        assertEquals(0, in.readableBytes());
    }

    @Test
    void readsUtf8() {
        // "café" with é as C3 A9
        assertEquals("caf\u00e9", PgBuffers.readCString(Unpooled.wrappedBuffer(Bytes.hex("636166 c3a9 00"))));
    }

    @Test
    void rejectsACStringWithoutTerminatorLeavingTheIndexAlone() {
        ByteBuf in = Unpooled.wrappedBuffer(Bytes.hex("616c696365"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> PgBuffers.readCString(in));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        assertEquals(0, in.readerIndex());
    }

    @Test
    void looksForTheTerminatorOnlyInTheReadableBytes() {
        // The only NUL is behind the reader index, and the one after the writer index is not readable either.
        ByteBuf in = Unpooled.wrappedBuffer(Bytes.hex("00 6869 00")).readerIndex(1).writerIndex(3);
        assertThrows(ProtocolException.class, () -> PgBuffers.readCString(in));
        assertEquals(1, in.readerIndex());
        assertThrows(ProtocolException.class, () -> PgBuffers.readCString(Unpooled.EMPTY_BUFFER));
    }

    @Test
    void writesACString() {
        ByteBuf out = Unpooled.buffer();
        PgBuffers.writeCString(out, "caf\u00e9");
        PgBuffers.writeCString(out, "");
        assertBytes(Bytes.hex("636166 c3a9 00 00"), out);
    }

    @Test
    void backPatchesTheLengthOfATypedMessage() {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            out.writeBytes(Bytes.hex("aabbcc")); // something already in the buffer
            int lengthIndex = PgBuffers.beginMessage(out, (byte) 'Q');
            assertEquals(4, lengthIndex);
            out.writeBytes(Bytes.hex("31 00"));
            assertSame(out, PgBuffers.endMessage(out, lengthIndex), "returns the buffer it patched");
            assertBytes(Bytes.hex("aabbcc 51 00000006 3100"), out);
        } finally {
            out.release();
        }
    }

    @Test
    void backPatchesTheLengthOfAnUntypedPacket() {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer();
        try {
            int lengthIndex = PgBuffers.beginUntypedMessage(out);
            out.writeInt(80877103);
            PgBuffers.endMessage(out, lengthIndex);
            assertBytes(Bytes.hex("00000008 04d2162f"), out);
        } finally {
            out.release();
        }
    }
}
