package io.pgmux.protocol.backend;

import static io.pgmux.protocol.Bytes.assertBytesAndRelease;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgmux.protocol.Bytes;
import io.pgmux.protocol.backend.RowDescription.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowDescriptionTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void encodesOneTextColumn() {
        assertBytesAndRelease(Bytes.of().hex("54 00000020 0001").cstring("version")
                        .hex("00000000 0000 00000019 ffff ffffffff 0000").build(),
                new RowDescription(List.of(Field.text("version"))).encode(ALLOC));
    }

    @Test
    void encodesTheTypeOfEachColumn() {
        assertBytesAndRelease(Bytes.of().hex("54 0000006d 0004")
                        .cstring("list").hex("00000000 0000 00000019 ffff ffffffff 0000")
                        .cstring("items").hex("00000000 0000 00000017 0004 ffffffff 0000")
                        .cstring("id").hex("00000000 0000 00000014 0008 ffffffff 0000")
                        .cstring("total_xact_count").hex("00000000 0000 000006a4 ffff ffffffff 0000").build(),
                new RowDescription(List.of(Field.text("list"), Field.int4("items"), Field.int8("id"),
                        Field.numeric("total_xact_count"))).encode(ALLOC));
    }

    @Test
    void encodesNoColumns() {
        assertBytesAndRelease(Bytes.hex("54 00000006 0000"), new RowDescription(List.of()).encode(ALLOC));
    }

    @Test
    void appendsToWhatIsAlreadyInTheBuffer() {
        ByteBuf out = ALLOC.buffer().writeByte(0x7f);
        new RowDescription(List.of(Field.text("x"))).writeTo(out);
        assertBytesAndRelease(Bytes.of().hex("7f 54 0000001a 0001").cstring("x")
                .hex("00000000 0000 00000019 ffff ffffffff 0000").build(), out);
    }
}
