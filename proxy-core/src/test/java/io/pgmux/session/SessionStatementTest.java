package io.pgmux.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionStatementTest {
    /** The effects in a short form: {@code pin:<reason> set:<names> reset:<names> all unnamed}, or "". */
    private static String describe(SessionEffects effects) {
        List<String> parts = new ArrayList<>();
        if (effects.pinReason() != null) {
            parts.add("pin:" + effects.pinReason());
        }
        List<String> set = new ArrayList<>(effects.names());
        set.removeAll(effects.resetNames());
        if (!set.isEmpty()) {
            parts.add("set:" + String.join(",", set.stream().sorted().toList()));
        }
        if (!effects.resetNames().isEmpty()) {
            parts.add("reset:" + String.join(",", effects.resetNames().stream().sorted().toList()));
        }
        if (effects.resetAll()) {
            parts.add("all");
        }
        if (effects.unnamed()) {
            parts.add("unnamed");
        }
        return String.join(" ", parts);
    }

    // Backticks quote the SQL, which is full of single quotes.
    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "`SELECT abalance FROM pgbench_accounts WHERE aid = 48213` # ``",
        "`UPDATE t SET search_path = 'x' WHERE k = 1` # ``",
        "`select 'set work_mem = 1; listen x', $$pg_advisory_lock(1)$$ -- ; set x = 1` # ``",
        "`SET search_path TO a, b` # `set:search_path`",
        "`  set SESSION work_mem = '8MB';` # `set:work_mem`",
        "`SET statement_timeout = 0; INSERT INTO t(k) SELECT coalesce(max(k),0)+1 FROM t` # `set:statement_timeout`",
        "`SELECT 1; SET application_name = 'a;b'; SELECT 2` # `set:application_name`",
        "`SET \"Work_Mem\" = '1MB'; set MyApp.Tenant = 5; set \"x\".\"y\" to 'z'` # `set:myapp.tenant,work_mem,x.y`",
        "`SET work_mem FROM CURRENT` # `set:work_mem`",
        "`SET work_mem TO DEFAULT; set search_path = default` # `reset:search_path,work_mem`",
        "`SET LOCAL work_mem = '1MB'; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; SET CONSTRAINTS ALL DEFERRED` # ``",
        "`SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`"
                + " # `set:default_transaction_deferrable,default_transaction_isolation,default_transaction_read_only`",
        "`SET ROLE reporting` # `set:role`",
        "`set session role reporting; SET LOCAL ROLE other` # `set:role`",
        "`SET ROLE NONE; RESET ROLE` # `reset:role`",
        "`set session authorization bob` # `set:session_authorization`",
        "`SET SESSION AUTHORIZATION DEFAULT; RESET SESSION AUTHORIZATION` # `reset:session_authorization`",
        "`SET TIME ZONE 'UTC'; set names 'LATIN1'; set schema 'app'; set xml option document`"
                + " # `set:client_encoding,search_path,timezone,xmloption`",
        "`SET TIME ZONE LOCAL` # `reset:timezone`",
        "`RESET work_mem` # `reset:work_mem`",
        "`reset all` # all",
        "`DISCARD ALL` # all",
        "`discard plans; discard temp` # ``",
        "`select set_config('search_path', 'a, b', false)` # `set:search_path`",
        "`SELECT now(), pg_catalog.set_config('App.Tenant', $1, false) AS t, 1` # `set:app.tenant`",
        "`select set_config('a.b', 'x', true), set_config('c.d', 'x', 'on'), set_config('e.f', 'x', TRUE)` # ``",
        "`select set_config('a.b', NULL, false)` # `reset:a.b`",
        "`select set_config('role'::text, 'other', false)` # `set:role`",
        "`select \"set_config\"('work_mem', '1MB', false)` # `set:work_mem`",
        "`select set_config($1, $2, false)`"
                + " # `pin:set_config with a setting name computed at run time unnamed`",
        "`select set_config(name, 'x', false) from settings` "
                + " # `pin:set_config with a setting name computed at run time unnamed`",
        "`UPDATE pg_settings SET setting = '1MB' WHERE name = 'work_mem'` # unnamed",
        "`DO $$ BEGIN PERFORM set_config('app.user', '7', false); SET work_mem = '2MB'; END $$`"
                + " # `set:app.user,work_mem unnamed`",
        "`do language plpgsql 'begin execute ''set search_path = x''; end'` # `set:search_path unnamed`",
        "`DO $$ BEGIN PERFORM pg_advisory_lock(1); END $$` # `pin:session advisory lock unnamed`",
        "`select pg_advisory_lock(1)` # `pin:session advisory lock`",
        "`select pg_try_advisory_lock_shared(1)` # `pin:session advisory lock`",
        "`select pg_advisory_xact_lock(1), pg_advisory_unlock_all()` # ``",
        "`LISTEN jobs` # `pin:LISTEN`",
        "`SELECT 1; LISTEN x` # `pin:LISTEN`",
        "`UNLISTEN *` # ``",
        "`LOAD 'auto_explain'` # `pin:LOAD of a library`",
        "`create temp table t (x int)` # `pin:temporary table`",
        "`CREATE GLOBAL TEMPORARY TABLE t (x int)` # `pin:temporary table`",
        "`create or replace temp view v as select 1` # `pin:temporary table`",
        "`create table pg_temp.t (x int)` # `pin:temporary table`",
        "`CREATE TEMP TABLE t (x int) ON COMMIT DROP` # ``",
        "`create temporary table t on commit drop as select 1` # ``",
        "`CREATE TEMP TABLE t (x int) ON COMMIT DELETE ROWS` # `pin:temporary table`",
        "`create temp table t (c text default 'on commit drop')` # `pin:temporary table`",
        "`create table temperatures (temp int)` # ``",
        "`select * into temp t from x` # `pin:temporary table`",
        "`SELECT * INTO TEMPORARY TABLE t FROM x` # `pin:temporary table`",
        "`insert into temp_log select 1` # ``",
        "`declare c cursor with hold for select 1` # `pin:cursor WITH HOLD`",
        "`declare c cursor without hold for select 1` # ``",
        "`PREPARE q AS select 1` # `pin:SQL PREPARE`",
        "`PREPARE TRANSACTION 'x'` # ``",
        "`select 'temperature', listening_port from holdings` # ``",
        "`set application_name = 'x'; select pg_advisory_lock(1)` # `pin:session advisory lock set:application_name`",
    })
    void readsEveryStatement(String sql, String expected) {
        assertEquals(expected == null ? "" : expected, describe(SessionStatement.of(sql)), sql);
    }

    @Test
    void aFunctionCallActsAsTheFunctionCalledFromSql() {
        assertEquals("pin:session advisory lock", describe(SessionStatement.ofFunctionCall(2880)));
        assertEquals("pin:session advisory lock", describe(SessionStatement.ofFunctionCall(2889)));
        assertEquals("pin:set_config through a FunctionCall message unnamed",
                describe(SessionStatement.ofFunctionCall(2078)));
        assertSame(SessionEffects.NONE, SessionStatement.ofFunctionCall(952)); // lo_open
    }

    @Test
    void ordinaryQueriesGetTheSharedNoneWithoutALookAtTheirTokens() {
        ByteBuf buf = Unpooled.copiedBuffer("Q....SELECT abalance FROM pgbench_accounts WHERE aid = 1;\0",
                StandardCharsets.UTF_8);
        try {
            assertSame(SessionEffects.NONE,
                    SessionStatement.of(buf, 5, buf.writerIndex() - 1, true, new SqlLexer()));
        } finally {
            buf.release();
        }
    }

    @Test
    void withoutStandardConformingStringsABackslashHidesNoStatement() {
        String sql = "select '\\'; set work_mem = 1'";
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            assertEquals("set:work_mem",
                    describe(SessionStatement.of(buf, 0, buf.writerIndex(), true, new SqlLexer())));
            assertEquals("", describe(SessionStatement.of(buf, 0, buf.writerIndex(), false, new SqlLexer())));
        } finally {
            buf.release();
        }
    }

    /**
     * A statement cut off anywhere (a client's text is anything, and PostgreSQL answers a syntax error) gives some
     * effects and never an exception: each prefix of every statement above.
     */
    @Test
    void everyPrefixOfEveryStatementIsReadWithoutAnException() {
        String[] statements = {
            "SELECT abalance FROM pgbench_accounts WHERE aid = 48213",
            "UPDATE t SET search_path = 'x' WHERE k = 1",
            "select 'set work_mem = 1; listen x', $$pg_advisory_lock(1)$$ -- ; set x = 1",
            "SET search_path TO a, b",
            "  set SESSION work_mem = '8MB';",
            "SET statement_timeout = 0; INSERT INTO t(k) SELECT coalesce(max(k),0)+1 FROM t",
            "SELECT 1; SET application_name = 'a;b'; SELECT 2",
            "SET \"Work_Mem\" = '1MB'; set MyApp.Tenant = 5; set \"x\".\"y\" to 'z'",
            "SET work_mem FROM CURRENT",
            "SET work_mem TO DEFAULT; set search_path = default",
            "SET LOCAL work_mem = '1MB'; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; SET CONSTRAINTS ALL DEFERRED",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            "SET ROLE reporting",
            "set session role reporting; SET LOCAL ROLE other",
            "SET ROLE NONE; RESET ROLE",
            "set session authorization bob",
            "SET SESSION AUTHORIZATION DEFAULT; RESET SESSION AUTHORIZATION",
            "SET TIME ZONE 'UTC'; set names 'LATIN1'; set schema 'app'; set xml option document",
            "SET TIME ZONE LOCAL",
            "RESET work_mem",
            "reset all",
            "DISCARD ALL",
            "discard plans; discard temp",
            "select set_config('search_path', 'a, b', false)",
            "SELECT now(), pg_catalog.set_config('App.Tenant', $1, false) AS t, 1",
            "select set_config('a.b', 'x', true), set_config('c.d', 'x', 'on'), set_config('e.f', 'x', TRUE)",
            "select set_config('a.b', NULL, false)",
            "select set_config('role'::text, 'other', false)",
            "select \"set_config\"('work_mem', '1MB', false)",
            "select set_config($1, $2, false)",
            "select set_config(name, 'x', false) from settings",
            "UPDATE pg_settings SET setting = '1MB' WHERE name = 'work_mem'",
            "DO $$ BEGIN PERFORM set_config('app.user', '7', false); SET work_mem = '2MB'; END $$",
            "do language plpgsql 'begin execute ''set search_path = x''; end'",
            "DO $$ BEGIN PERFORM pg_advisory_lock(1); END $$",
            "select pg_advisory_lock(1)",
            "select pg_try_advisory_lock_shared(1)",
            "select pg_advisory_xact_lock(1), pg_advisory_unlock_all()",
            "LISTEN jobs",
            "SELECT 1; LISTEN x",
            "UNLISTEN *",
            "LOAD 'auto_explain'",
            "create temp table t (x int)",
            "CREATE GLOBAL TEMPORARY TABLE t (x int)",
            "create or replace temp view v as select 1",
            "create table pg_temp.t (x int)",
            "CREATE TEMP TABLE t (x int) ON COMMIT DROP",
            "create temporary table t on commit drop as select 1",
            "CREATE TEMP TABLE t (x int) ON COMMIT DELETE ROWS",
            "create temp table t (c text default 'on commit drop')",
            "create table temperatures (temp int)",
            "select * into temp t from x",
            "SELECT * INTO TEMPORARY TABLE t FROM x",
            "insert into temp_log select 1",
            "declare c cursor with hold for select 1",
            "declare c cursor without hold for select 1",
            "PREPARE q AS select 1",
            "PREPARE TRANSACTION 'x'",
            "select 'temperature', listening_port from holdings",
            "set application_name = 'x'; select pg_advisory_lock(1)"
        };
        SqlLexer lexer = new SqlLexer();
        for (String sql : statements) {
            byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            for (int end = 0; end <= bytes.length; end++) {
                int cut = end;
                assertDoesNotThrow(() -> SessionStatement.of(buf, 0, cut, true, lexer), () -> sql.substring(0, cut));
            }
        }
    }
}
