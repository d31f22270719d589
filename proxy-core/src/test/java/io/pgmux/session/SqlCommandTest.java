package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
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
        "select 1;|OTHER|",
        "SELECT 1; DEALLOCATE ALL|DEALLOCATE_ALL|",
        "deallocate s1; select 1; discard all;|DISCARD_ALL|",
        "/* first */ DEALLOCATE s1|DEALLOCATE|s1",
        "-- first\\nDEALLOCATE ALL|DEALLOCATE_ALL|",
        "select 1; DEALLOCATE s1|OTHER|",
        "select 'a; deallocate all'|OTHER|",
        "select 1 /* ; deallocate all */|OTHER|",
        "select $$;$$; select 2|OTHER|",
        "DEALLOCATE s -- bye|DEALLOCATE|s",
        "DEALLOCATE s;;|DEALLOCATE|s",
        "deallocate /*x*/ prepare /*y*/ S|DEALLOCATE|s",
        "DEALLOCATE \u00c9t\u00c9|DEALLOCATE|\u00c9t\u00c9",
        "DEALLOCATE prepare|DEALLOCATE|prepare",
        "DEALLOCATE PREPARE ALL|DEALLOCATE_ALL|",
        "DEALLOCATE \"all\"|DEALLOCATE|all",
        "DEALLOCATE 1|OTHER|",
        "DEALLOCATE s t|OTHER|",
        "deallocate e'x'|OTHER|",
        "delete from t|OTHER|",
        "discard all; discard all|DISCARD_ALL|",
    })
    void classifies(String sql, String kind, String argument) {
        ByteBuf buf = Unpooled.copiedBuffer(sql.replace("\\n", "\n"), StandardCharsets.UTF_8);
        try {
            SqlCommand result = SqlCommand.classify(buf, 0, buf.writerIndex());
            assertEquals(SqlCommand.Kind.valueOf(kind), result.kind());
            assertEquals(argument, result.argument());
        } finally {
            buf.release();
        }
    }
    /** A command cut off anywhere is classified as something, never an exception: each prefix of each of these. */
    @Test
    void everyPrefixOfACommandIsClassifiedWithoutAnException() {
        String[] commands = {"DEALLOCATE ALL;", "deallocate prepare \"S_1\"", "DEALLOCATE s1; select 1; discard all;",
            "DISCARD PLANS", "select $$;$$; select 2", "select 'a; deallocate all'", "select 1 /* ; deallocate all */",
            "DEALLOCATE \"a\"\"b\"", "discard  all", "deallocate e'x'"};
        for (String sql : commands) {
            byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            for (int end = 0; end <= bytes.length; end++) {
                int cut = end;
                assertNotNull(assertDoesNotThrow(() -> SqlCommand.classify(buf, 0, cut)), () -> sql.substring(0, cut));
            }
        }
    }
}
