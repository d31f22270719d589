package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionStatementTest {
    // Backticks quote in these tables, since the SQL itself is full of single quotes.
    private static SessionStatement classify(String sql) {
        ByteBuf buf = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
        try {
            return SessionStatement.of(buf, 0, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "SET search_path TO a, b|SET|search_path|a, b",
        "  set SESSION work_mem = '8MB';|SET|work_mem|'8MB'",
        "SET ROLE reporting|SET|role|reporting",
        "set session authorization bob|SET|session_authorization|bob",
        "RESET work_mem|RESET|work_mem|",
        "reset all|RESET_ALL||",
        "SET LOCAL work_mem = '1MB'|NONE||",
        "SET TIME ZONE 'UTC'|NONE||",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE|NONE||",
        "SELECT 1|NONE||",
        "select settings from setup|NONE||",
        "SELECT abalance FROM pgbench_accounts WHERE aid = $1|NONE||",
        "select pg_advisory_lock(1)|PIN|session advisory lock|",
        "select pg_try_advisory_lock_shared(1)|PIN|session advisory lock|",
        "select pg_advisory_xact_lock(1)|NONE||",
        "LISTEN jobs|PIN|LISTEN|",
        "create temp table t (x int)|PIN|temporary table|",
        "CREATE GLOBAL TEMPORARY TABLE t (x int)|PIN|temporary table|",
        "declare c cursor with hold for select 1|PIN|cursor WITH HOLD|",
        "PREPARE q AS select 1|PIN|SQL PREPARE|",
        "select 'temperature', listening_port from holdings|NONE||",
    })
    void classifies(String sql, String kind, String name, String value) {
        SessionStatement result = classify(sql);
        assertEquals(SessionStatement.Kind.valueOf(kind), result.kind(), sql);
        assertEquals(name, result.name(), sql);
        assertEquals(value, result.value(), sql);
    }
}
