package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.RawPgClient;
import java.util.List;
import java.util.stream.Collectors;

/** Shorthands over {@link RawPgClient} replies. */
final class Raw {
    private Raw() {
    }

    static String types(List<BackendMessage> messages) {
        return messages.stream().map(m -> String.valueOf(m.type())).collect(Collectors.joining());
    }

    /** Runs a simple query and returns the first column of its only row; fails on anything else. */
    static String queryOne(RawPgClient client, String sql) {
        client.query(sql);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("TDCZ", types(reply), () -> "reply to " + sql + ": " + reply);
        return reply.get(1).dataRowText().get(0);
    }

    /** Runs a simple query that returns no rows (SET, BEGIN ...) and returns the ReadyForQuery status. */
    static char command(RawPgClient client, String sql) {
        client.query(sql);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("CZ", types(reply), () -> "reply to " + sql + ": " + reply);
        return reply.get(1).readyStatus();
    }

    static int pid(RawPgClient client) {
        return Integer.parseInt(queryOne(client, "select pg_backend_pid()"));
    }

    /** Reads one message and asserts it is a FATAL error with this SQLSTATE; returns it. */
    static BackendMessage expectFatal(RawPgClient client, String sqlState) {
        BackendMessage error = client.expect('E');
        assertEquals("FATAL", error.errorField('S'), error::toString);
        assertEquals(sqlState, error.errorField('C'), error::toString);
        return error;
    }
}
