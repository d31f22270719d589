package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * log_connections, log_disconnections, log_pooler_errors and log_slow_query write what they promise, and never a
 * query's text. pgmux logs through slf4j-simple to standard error, which the test captures while it runs.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionLogsIT {
    private final PostgresCluster cluster;

    ConnectionLogsIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void connectionsDisconnectionsPoolerErrorsAndSlowQueriesAreLogged() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ProxyFixture proxy = ProxyFixture.config(cluster).set("log_connections", "on")
                .set("log_disconnections", "on").set("log_slow_query", "300ms")
                .set("admin", "{users: [" + ProxyFixture.APP_USER + "]}").start()) {
            try (Connection app = proxy.connect()) {
                Sql.one(app, "select 'quick secret'");
                Sql.one(app, "select pg_sleep(0.5)::text || 'slow secret'");
            }
            Properties simple = new Properties();
            simple.setProperty("preferQueryMode", "simple");
            try (Connection console = proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD, "pgmux",
                    simple)) {
                Sql.one(console, "show version");
            }
            assertThrows(SQLException.class, () -> proxy.connect(ProxyFixture.APP_USER, ProxyFixture.APP_PASSWORD,
                    "no_such_db").close());
            // The client is told the same for both; the log says which it was, as PostgreSQL's log does.
            assertThrows(SQLException.class, () -> proxy.connect(ProxyFixture.APP_USER, "wrong",
                    ProxyFixture.APP_DB).close());
            assertThrows(SQLException.class, () -> proxy.connect("nobody", "wrong", ProxyFixture.APP_DB).close());
            // The refused client may read its error before pgmux logs it (the error is flushed first): wait for both.
            Await.until(Duration.ofSeconds(10), () -> text(captured).contains("closing: " + ProxyFixture.APP_USER)
                    && text(captured).contains("closing: " + ProxyFixture.APP_USER + "@pgmux")
                    && text(captured).contains("pooler error to " + ProxyFixture.APP_USER + "@no_such_db")
                    && text(captured).contains("pooler error to nobody@"),
                    "the disconnection and the pooler error to be logged");
            String log = text(captured);
            assertTrue(log.contains("login: user=" + ProxyFixture.APP_USER + " database=" + ProxyFixture.APP_DB
                    + " from /127.0.0.1:"), log);
            assertTrue(log.contains("slow query: "), log);
            assertTrue(log.matches("(?s).*slow query: \\d+ ms, database=" + ProxyFixture.APP_DB + " user="
                    + ProxyFixture.APP_USER + " tenant=" + ProxyFixture.DEFAULT_TENANT + " client=/127.0.0.1:\\d+.*"),
                    log);
            assertTrue(log.contains("pooler error to " + ProxyFixture.APP_USER + "@no_such_db"), log);
            assertTrue(log.matches("(?s).*pooler error to " + ProxyFixture.APP_USER + "@" + ProxyFixture.APP_DB
                    + " from [^\\n]*: 28P01 [^\\n]*\\(the password does not match\\).*"), log);
            assertTrue(log.matches("(?s).*pooler error to nobody@" + ProxyFixture.APP_DB
                    + " from [^\\n]*: 28P01 [^\\n]*\\(no such user: not in users\\).*"), log);
            // pgjdbc's close sends Terminate: a client that left as it should is told from one whose connection broke.
            assertTrue(log.matches("(?s).*closing: " + ProxyFixture.APP_USER + "@" + ProxyFixture.APP_DB
                    + " from /127\\.0\\.0\\.1:\\d+ after \\d+ s: the client sent Terminate.*"), log);
            assertTrue(log.matches("(?s).*closing: " + ProxyFixture.APP_USER + "@pgmux"
                    + " from /127\\.0\\.0\\.1:\\d+ after \\d+ s: the client sent Terminate.*"), "the console: " + log);
            assertFalse(log.contains("the connection closed without a Terminate"), log);
            assertFalse(log.contains("secret"), "no query text: " + log);
            assertFalse(log.contains(ProxyFixture.APP_PASSWORD), "no password: " + log);

            proxy.server().control().set("log_connections", "off").toCompletableFuture().get(10, TimeUnit.SECONDS);
            int before = count(text(captured), "login: user=");
            try (Connection app = proxy.connect()) {
                Sql.one(app, "select 1");
            }
            assertTrue(count(text(captured), "login: user=") == before, "SET log_connections = off is in force");
        } finally {
            System.setErr(original);
            original.print(text(captured));
        }
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
