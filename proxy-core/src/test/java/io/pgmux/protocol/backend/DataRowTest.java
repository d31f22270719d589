package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgmux.protocol.Bytes;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataRowTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesTextNullAndMultiByteValues() {
        // "café" is 5 bytes in UTF-8; NULL is a length of -1 and no bytes.
        assertBytesAndRelease(Bytes.hex("44 00000018 0003 00000001 61 ffffffff 00000005 636166c3a9"),
                new DataRow(Arrays.asList("a", null, "caf\u00e9")).encode(ALLOC));
    }

    @Test
    void encodesAnEmptyStringAsZeroLengthNotNull() {
        assertBytesAndRelease(Bytes.hex("44 0000000a 0001 00000000"), new DataRow(List.of("")).encode(ALLOC));
    }

    @Test
    void decodesWhatItEncodes() {
        List<String> values = Arrays.asList("pgmux", null, "", "12");
        DataRow row = new DataRow(values);
        io.netty.buffer.ByteBuf frame = row.encode(ALLOC);
        try {
            assertEquals(row, DataRow.decode(frame.skipBytes(5)));
        } finally {
            frame.release();
        }
    }

    @Test
    void decodesNullColumns() {
        assertEquals(Arrays.asList(null, "x"),
                DataRow.decode(Unpooled.wrappedBuffer(Bytes.hex("0002 ffffffff 00000001 78"))).values());
    }
}
