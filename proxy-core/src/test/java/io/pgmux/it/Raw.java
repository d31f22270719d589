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

    /** A raw connection straight to the cluster, logged in as the proxy's app_user: what pgmux is compared with. */
    static RawPgClient direct(io.pgmux.testing.PostgresCluster cluster) {
        RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port());
        try {
            client.login(ProxyFixture.APP_USER, ProxyFixture.APP_DB, ProxyFixture.APP_PASSWORD, null);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** Message types and, for errors, their severity and SQLSTATE: what a client can tell apart. */
    static String summary(List<BackendMessage> messages) {
        return messages.stream().map(m -> m.type() == 'E' || m.type() == 'N'
                ? m.type() + "(" + m.errorField('S') + " " + m.errorField('C') + ")"
                : m.type() == 'Z' ? "Z(" + m.readyStatus() + ")" : String.valueOf(m.type()))
                .collect(Collectors.joining(" "));
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
