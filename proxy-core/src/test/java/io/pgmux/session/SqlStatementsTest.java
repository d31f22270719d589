package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlStatementsTest {
    /**
     * The statements of {@code sql} as texts. The text is lexed in the middle of a buffer whose bytes around it
     * would change the answer if read ('$' and an open quote), as a Query's text sits inside its frame.
     */
    static List<String> split(String sql, boolean standardConformingStrings) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = Unpooled.buffer().writeBytes("'$".getBytes(StandardCharsets.US_ASCII)).writeBytes(text)
                .writeBytes("$'".getBytes(StandardCharsets.US_ASCII));
        try {
            List<String> result = new ArrayList<>();
            for (SqlStatements.Range each : SqlStatements.split(buf, 2, 2 + text.length, standardConformingStrings)) {
                result.add(buf.toString(each.start(), each.end() - each.start(), StandardCharsets.UTF_8));
            }
            return result;
        } finally {
            buf.release();
        }
    }

    static List<String> split(String sql) {
        return split(sql, true);
    }

    // Statements are separated by | in the expected column; backticks quote cells holding the SQL.
    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "SELECT 1 # SELECT 1",
        "SELECT 1; # SELECT 1",
        "SET statement_timeout = 0; INSERT INTO t(k) SELECT coalesce(max(k),0)+1 FROM t"
                + " # SET statement_timeout = 0|INSERT INTO t(k) SELECT coalesce(max(k),0)+1 FROM t",
        "`select ';'; select 2` # `select ';'|select 2`",
        "`select 'it''s; here'; select 2` # `select 'it''s; here'|select 2`",
        "`set application_name = 'a;b' ; select 2` # `set application_name = 'a;b'|select 2`",
        "`select E'\\'; still'; select 2` # `select E'\\'; still'|select 2`",
        "`select e'\\\\'; select 2` # `select e'\\\\'|select 2`",
        "`select e'x''; y'; select 2` # `select e'x''; y'|select 2`",
        "`select '\\'; select 2` # `select '\\'|select 2`",
        "`select 'a' 'b;'; select 2` # `select 'a' 'b;'|select 2`",
        "`select b'10', x'1F'; select 2` # `select b'10', x'1F'|select 2`",
        "`select be'\\'; select 2` # `select be'\\'|select 2`",
        "`select \"a;b\"; select 2` # `select \"a;b\"|select 2`",
        "`select \"a\"\";b\"; select 2` # `select \"a\"\";b\"|select 2`",
        "`select $$a;b$$; select 2` # `select $$a;b$$|select 2`",
        "`select $tag$ a $$ ; $ta $Tag$ ; $tag$; select 2` # `select $tag$ a $$ ; $ta $Tag$ ; $tag$|select 2`",
        "`select $a$$a$; select 2` # `select $a$$a$|select 2`",
        "`select $a$x$$a$; select 2` # `select $a$x$$a$|select 2`",
        "`select $1; select $2::text` # `select $1|select $2::text`",
        "`select a$b; select 2` # `select a$b|select 2`",
        "`select 1$$;$$; select 2` # `select 1$$;$$|select 2`",
        "`select $ ; select 2` # `select $|select 2`",
        "`select $x ; select 2` # `select $x|select 2`",
        "`select 1 -- comment; not the end\n; select 2` # `select 1|select 2`",
        "`select 1 --x\rselect 2; select 3` # `select 1 --x\rselect 2|select 3`",
        "`select /* a /* nested; */ still; */ 1; select 2` # `select /* a /* nested; */ still; */ 1|select 2`",
        "`select /*/ still a comment; */ 1; select 2` # `select /*/ still a comment; */ 1|select 2`",
        "`select 1 /**/; select 2` # `select 1|select 2`",
        "`select 4/2; select 3-1; select -1` # `select 4/2|select 3-1|select -1`",
        "`select 1 - -1; select 2` # `select 1 - -1|select 2`",
        "`/* only a comment */ ; ;  -- and another` # ``",
        "`  ;;select 1;;  ` # `select 1`",
        "`CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;"
                + " SELECT 3` # `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN"
                + " true THEN 2 END; END|SELECT 3`",
        "`create or replace procedure p() begin atomic insert into t values (1); end; select 3`"
                + " # `create or replace procedure p() begin atomic insert into t values (1); end|select 3`",
        "`CREATE FUNCTION f() RETURNS int AS $$ begin return 1; end $$ LANGUAGE plpgsql; BEGIN; SELECT 3`"
                + " # `CREATE FUNCTION f() RETURNS int AS $$ begin return 1; end $$ LANGUAGE plpgsql|BEGIN|SELECT 3`",
        "`BEGIN; SELECT CASE WHEN true THEN 1 END; END` # `BEGIN|SELECT CASE WHEN true THEN 1 END|END`",
        "`create function begin() returns int language sql as 'select 1'; set work_mem = 1`"
                + " # `create function begin() returns int language sql as 'select 1'|set work_mem = 1`",
        "`create function f() returns int language sql begin /* x */ atomic; select 1; end; select 2`"
                + " # `create function f() returns int language sql begin /* x */ atomic; select 1; end|select 2`",
        "`CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1`"
                + " # `CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))"
                + "|SELECT 1`",
        "`select (1)); select 2` # `select (1))|select 2`",
        "`select 'unterminated; select 2` # `select 'unterminated; select 2`",
        "`select \"unterminated; select 2` # `select \"unterminated; select 2`",
        "`select $q$ unterminated; select 2` # `select $q$ unterminated; select 2`",
        "`select 1 /* unterminated; select 2` # `select 1`",
        "`select 'é;'; select 'ü'` # `select 'é;'|select 'ü'`",
        "`select é; select 2` # `select é|select 2`",
    })
    void splitsWhereTheServerWould(String sql, String expected) {
        List<String> statements = expected == null || expected.isEmpty() ? List.of()
                : Arrays.asList(expected.split("\\|"));
        assertEquals(statements, split(sql), sql);
    }

    @Test
    void withoutStandardConformingStringsABackslashEscapesInAnyString() {
        assertEquals(List.of("select '\\'; select 2"), split("select '\\'; select 2", false));
        assertEquals(List.of("select '\\\\'", "select 2"), split("select '\\\\'; select 2", false));
        // B and X strings never take escapes.
        assertEquals(List.of("select b'\\'", "select 2"), split("select b'\\'; select 2", false));
    }

    @Test
    void tokensCarryTheirMeaning() {
        String sql = "SET Search_Path TO \"My\"\"Schema\", e'it\\'s', 'a''b', $x$body$x$; SELECT $1";
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            List<List<SqlToken>> statements = SqlStatements.tokens(buf, 0, buf.writerIndex(), true);
            assertEquals(2, statements.size());
            assertEquals(List.of(
                    new SqlToken(SqlLexer.Token.WORD, "set"),
                    new SqlToken(SqlLexer.Token.WORD, "search_path"),
                    new SqlToken(SqlLexer.Token.WORD, "to"),
                    new SqlToken(SqlLexer.Token.QUOTED_IDENTIFIER, "My\"Schema"),
                    new SqlToken(SqlLexer.Token.SYMBOL, ","),
                    new SqlToken(SqlLexer.Token.ESCAPE_STRING, "it's"),
                    new SqlToken(SqlLexer.Token.SYMBOL, ","),
                    new SqlToken(SqlLexer.Token.STRING, "a'b"),
                    new SqlToken(SqlLexer.Token.SYMBOL, ","),
                    new SqlToken(SqlLexer.Token.DOLLAR_STRING, "body")), statements.get(0));
            assertEquals(List.of(new SqlToken(SqlLexer.Token.WORD, "select"),
                    new SqlToken(SqlLexer.Token.PARAMETER, "$1")), statements.get(1));
        } finally {
            buf.release();
        }
    }

    @Test
    void everyPrefixOfATrickyTextLexesWithoutFailing() {
        String sql = "select e'\\'', $t$ $ $t$, \"q\"\"\", /* /* */ */ 1 -- x\n; $1; b'1'; 'a''b';";
        for (int i = 0; i <= sql.length(); i++) {
            for (boolean scs : new boolean[] {true, false}) {
                split(sql.substring(0, i), scs);
            }
        }
    }
}
