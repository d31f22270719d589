package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlCommandTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "DEALLOCATE s1|DEALLOCATE|s1",
        "deallocate prepare S_1|DEALLOCATE|s_1",
        "DEALLOCATE \"S_1\"|DEALLOCATE|S_1",
        "DEALLOCATE ALL;|DEALLOCATE_ALL|",
        " discard all |DISCARD_ALL|",
        "DISCARD PLANS|OTHER|",
        "delete from t|OTHER|",
        "select 1|OTHER|",
    })
    void classifies(String sql, String kind, String argument) {
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            SqlCommand result = SqlCommand.classify(buf, 0, buf.writerIndex());
            assertEquals(SqlCommand.Kind.valueOf(kind), result.kind());
            assertEquals(argument, result.argument());
        } finally {
            buf.release();
        }
    }
}
