package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.TestRole;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The splitter and PostgreSQL agree on how many statements a simple Query holds: each text below runs on the
 * server, which answers every statement with one CommandComplete.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqlStatementsIT {
    private static final List<String> TEXTS = List.of(
            "select 1",
            "select ';'; select 2;",
            "select 'it''s; here', e'\\'; still', $$a;b$$, $t$ $$ ; $ta $t$; select 2",
            "select \"a;b\" from (select 1 as \"a;b\") s; select 2",
            "select 1 -- comment; not the end\n; select /* a /* nested; */ still; */ 2",
            "select b'10', x'1F', 4/2, 3-1, - -1; ;; select 2",
            "create temp table rule_t (x int); create temp table rule_a (x int); "
                    + "create rule r as on insert to rule_t do also (insert into rule_a values (1); "
                    + "insert into rule_a values (2)); insert into rule_t values (1); drop table rule_t, rule_a",
            "create function pg_temp.f() returns int language sql begin atomic select 1; "
                    + "select case when true then 2 end; end; select pg_temp.f()",
            "select 1 as a$b; select $q$x$$q$; select 3",
            "create function pg_temp.begin() returns int language sql as 'select 1'; select 2");
    /** Read with standard_conforming_strings off: a backslash escapes in any string. */
    private static final String WITHOUT_STANDARD_STRINGS = "select '\\'; select 2', 'a\\\\'; select 3";

    private final PostgresCluster cluster;

    SqlStatementsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void countsTheStatementsAsThePostgresServerRunsThem() {
        try (RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port())) {
            direct.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            for (String each : TEXTS) {
                assertEquals(completions(direct, each), statements(each, true), each);
            }
            completions(direct, "set standard_conforming_strings = off");
            assertEquals(completions(direct, WITHOUT_STANDARD_STRINGS), statements(WITHOUT_STANDARD_STRINGS, false));
        }
    }

    private static long completions(RawPgClient client, String sql) {
        client.query(sql);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals(0, reply.stream().filter(m -> m.type() == 'E').count(), () -> sql + ": " + reply);
        return reply.stream().filter(m -> m.type() == 'C').count();
    }

    private static int statements(String sql, boolean standardConformingStrings) {
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            return SqlStatements.split(buf, 0, buf.writerIndex(), standardConformingStrings).size();
        } finally {
            buf.release();
        }
    }
}
