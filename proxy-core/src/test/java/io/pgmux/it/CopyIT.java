package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** COPY FROM STDIN and COPY TO STDOUT through pgmux, with pgjdbc's CopyManager and on the raw protocol. */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CopyIT {
    private final PostgresCluster cluster;

    CopyIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void copyManagerCopiesInAndOutByConcurrentClients() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_copy_jdbc",
                "create table it_copy_jdbc (client int, n int, label text)");
        int rows = 2000;
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(2).start()) {
            List<Throwable> failures = Sql.concurrently(6, Duration.ofSeconds(45), id -> {
                try (Connection c = proxy.connect()) {
                    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                    StringBuilder data = new StringBuilder();
                    for (int n = 0; n < rows; n++) {
                        data.append(id).append(',').append(n).append(",\"label ").append(n).append("\"\n");
                    }
                    long copied = copy.copyIn("copy it_copy_jdbc from stdin (format csv)", new StringReader(data.toString()));
                    assertEquals(rows, copied);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    long read = copy.copyOut("copy (select * from it_copy_jdbc where client = " + id
                            + " order by n) to stdout (format csv)", out);
                    assertEquals(rows, read);
                    assertEquals(data.toString().replace("\"", ""), out.toString(StandardCharsets.UTF_8));
                    assertEquals(Integer.toString(rows), Sql.one(c, "select count(*) from it_copy_jdbc where client = " + id));
                }
            });
            assertTrue(failures.isEmpty(), () -> Sql.describe(failures));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "every server back in the pool");
        }
    }

    @Test
    void aClientThatStopsReadingStallsItsServerInsteadOfPgmuxBufferingTheAnswer() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             Connection su = cluster.superuser()) {
            // About 30 MB: far more than socket buffers and pgmux's write buffer limit together.
            client.query("copy (select g, repeat('x', 600) from generate_series(1, 50000) g) to stdout");
            Await.untilChecked(Duration.ofSeconds(20), () -> "ClientWrite".equals(Sql.one(su,
                    "select coalesce(max(wait_event), 'none') from pg_stat_activity"
                            + " where usename = 'app_user' and query like 'copy (select g%'")),
                    "the backend to block writing to pgmux while the client does not read");
            client.expect('H');
            long rows = 0;
            long bytes = 0;
            BackendMessage message;
            while ((message = client.read()).type() == 'd') {
                rows++;
                bytes += message.body().length;
            }
            assertEquals('c', message.type(), message::toString);
            assertEquals("COPY 50000", client.expect('C').commandTag());
            client.expect('Z');
            assertEquals(50000, rows);
            assertEquals(50000L * (600 + 2) + digits(50000), bytes);
            assertEquals("1", Raw.queryOne(client, "select 1"));
        }
    }

    /** Total length of the decimal representations of 1..n. */
    private static long digits(int n) {
        long total = 0;
        for (int i = 1; i <= n; i++) {
            total += Integer.toString(i).length();
        }
        return total;
    }

    @Test
    void rawCopyInAndOutAndCopyFailOnASharedServer() {
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists it_copy_raw", "create table it_copy_raw (a int, b text)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            client.query("copy it_copy_raw from stdin");
            client.expect('G');
            // The rows and CopyDone in one write.
            new Wire().copyData("1\tone\n").copyData("2\ttwo\n").copyData("3\tthree\n").copyDone().sendTo(client);
            assertEquals("COPY 3", client.expect('C').commandTag());
            assertEquals('I', client.expect('Z').readyStatus());

            // The single server must be free for someone else now.
            assertEquals("3", Raw.queryOne(other, "select count(*) from it_copy_raw"));

            client.query("copy it_copy_raw from stdin");
            client.expect('G');
            client.copyData("4\tfour\n".getBytes(StandardCharsets.UTF_8));
            client.copyFail("the test changed its mind");
            BackendMessage error = client.expect('E');
            assertEquals("57014", error.errorField('C'));
            assertEquals('I', client.expect('Z').readyStatus());
            assertEquals("3", Raw.queryOne(other, "select count(*) from it_copy_raw"));

            client.query("copy (select a, b from it_copy_raw order by a) to stdout");
            client.expect('H');
            List<String> lines = new ArrayList<>();
            BackendMessage message;
            while ((message = client.read()).type() == 'd') {
                lines.add(new String(message.body(), StandardCharsets.UTF_8));
            }
            assertEquals('c', message.type(), message::toString);
            assertEquals("COPY 3", client.expect('C').commandTag());
            client.expect('Z');
            assertEquals(List.of("1\tone\n", "2\ttwo\n", "3\tthree\n"), lines);
            assertEquals("3", Raw.queryOne(other, "select count(*) from it_copy_raw"));
        }
    }

    @Test
    void anErrorInTheCopyDataEndsTheCopyAndFreesTheServer() {
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists it_copy_bad", "create table it_copy_bad (a int)");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            client.query("copy it_copy_bad from stdin");
            client.expect('G');
            new Wire().copyData("1\n").copyData("not a number\n").copyData("3\n").copyDone().sendTo(client);
            BackendMessage error = client.expect('E');
            assertEquals("22P02", error.errorField('C'), error::toString);
            assertEquals('I', client.expect('Z').readyStatus());
            assertEquals("0", Raw.queryOne(other, "select count(*) from it_copy_bad"));
            assertEquals("1", Raw.queryOne(client, "select 1"));
        }
    }
}
