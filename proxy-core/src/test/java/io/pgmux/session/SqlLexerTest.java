package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlLexerTest {
    private static Set<SqlWord> words(long bits) {
        Set<SqlWord> result = EnumSet.noneOf(SqlWord.class);
        for (SqlWord each : SqlWord.values()) {
            if ((bits & each.bit()) != 0) {
                result.add(each);
            }
        }
        return result;
    }

    private static Set<SqlWord> parse(String names) {
        Set<SqlWord> result = EnumSet.noneOf(SqlWord.class);
        if (names != null) {
            for (String each : names.split(" ")) {
                result.add(SqlWord.valueOf(each));
            }
        }
        return result;
    }

    // Backticks quote the SQL; the expected columns list SqlWord names separated by spaces.
    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "`SELECT abalance FROM pgbench_accounts WHERE aid = 48213;` # #  # 1",
        "`UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 2` # # SET # 1",
        "`  set work_mem = '8MB'` # SET # SET # 1",
        "`SeT work_mem = '8MB'; Reset ALL` # SET RESET # SET RESET # 2",
        "`/* set */ select 1 -- ; set x = 1` # #  # 1",
        "`select 'set_config(', $$pg_advisory_lock$$` # #  # 1",
        "`select pg_catalog.set_config('a', 'b', false)` # # SET_CONFIG # 1",
        "`select \"set_config\"('a', 'b', false), \"SET_CONFIG\"` # # SET_CONFIG # 1",
        "`select \"set\"\"_config\"` # #  # 1",
        "`SELECT 1; LISTEN x` # LISTEN # LISTEN # 2",
        "`select E'\\' ; set x = 1'` # #  # 1",
        "`select '\\' ; set x = 1'` # SET # SET # 2",
        "`select temperature, attempt, pg_temp_table, set_configs from temp` # # TEMP # 1",
        "`select pg_TRY_advisory_lock_SHARED(1)` # # PG_TRY_ADVISORY_LOCK_SHARED # 1",
        "`(select 1); set x to 1` # SET # SET # 2",
        "`$x set` # # SET # 1",
        "`$set$ set $set$ set` # # SET # 1",
        "`e'x'; e; b; x` # # # 4",
    })
    void notesTheWordsThatBeginStatementsAndThoseAnywhere(String sql, String first, String anywhere, int statements) {
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            SqlLexer lexer = new SqlLexer().lex(buf, 0, buf.writerIndex(), true, null);
            assertEquals(parse(first), words(lexer.firstWords()), "first words of " + sql);
            assertEquals(parse(anywhere), words(lexer.words()), "words of " + sql);
            assertEquals(statements, lexer.statements(), "statements of " + sql);
        } finally {
            buf.release();
        }
    }
}
