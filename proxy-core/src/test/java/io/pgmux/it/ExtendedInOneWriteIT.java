package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.TestRole;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An extended-protocol request sent in one write, as libpq sends PQexecParams and PQexecPrepared, while the client
 * has no server (between transactions): it goes to a server lent at once inside one run of the client's bytes,
 * after the alignment of the client's settings where the server last served another client, and answers as on a
 * direct connection. One server for two clients, so every request of one follows a request of the other.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ExtendedInOneWriteIT {
    private final PostgresCluster cluster;

    ExtendedInOneWriteIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private static byte[] message(char type, String... cstrings) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String each : cstrings) {
            body.writeBytes(each.getBytes(StandardCharsets.UTF_8));
            body.write(0);
        }
        return frame(type, body.toByteArray());
    }

    private static byte[] frame(char type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(body.length + 4).put(body).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] each : parts) {
            out.writeBytes(each);
        }
        return out.toByteArray();
    }

    /** Bind of the unnamed portal to {@code statement}, no parameters, default formats. */
    private static byte[] bind(String statement) {
        byte[] names = concat(message('x', "", statement));
        byte[] body = concat(java.util.Arrays.copyOfRange(names, 5, names.length), new byte[6]);
        return frame('B', body);
    }

    private static final byte[] DESCRIBE_PORTAL = frame('D', new byte[] {'P', 0});
    private static final byte[] EXECUTE = frame('E', new byte[5]);
    private static final byte[] SYNC = frame('S', new byte[0]);

    private static byte[] parse(String name, String sql) {
        byte[] strings = message('x', name, sql);
        return frame('P', concat(java.util.Arrays.copyOfRange(strings, 5, strings.length), new byte[2]));
    }

    /** Sends {@code request} in one write; returns its answer's message types and the first column of its row. */
    private static String run(RawPgClient client, byte[] request) {
        client.sendRaw(request);
        return summary(client.readUntilReady());
    }

    @Test
    void aRequestInOneWriteRunsWithItsClientsSettingsOnTheServerAnotherClientLeft() throws Exception {
        String defaultWorkMem;
        try (RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port())) {
            direct.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            defaultWorkMem = Raw.queryOne(direct, "show work_mem");
        }
        assertNotEquals("3MB", defaultWorkMem);
        byte[] unnamed = concat(parse("", "SHOW work_mem"), bind(""), DESCRIBE_PORTAL, EXECUTE, SYNC);
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            a.query("SET work_mem = '3MB'");
            assertEquals("CZ", Raw.types(a.readUntilReady()));
            for (int round = 0; round < 3; round++) {
                assertEquals("12TDCZ " + defaultWorkMem, run(b, unnamed), "round " + round);
                assertEquals("12TDCZ 3MB", run(a, unnamed), "round " + round);
            }
            assertEquals("1Z -", run(a, concat(parse("s1", "SHOW work_mem"), SYNC)));
            byte[] prepared = concat(bind("s1"), DESCRIBE_PORTAL, EXECUTE, SYNC);
            for (int round = 0; round < 3; round++) {
                assertEquals("12TDCZ " + defaultWorkMem, run(b, unnamed), "round " + round);
                assertEquals("2TDCZ 3MB", run(a, prepared), "after the other client, round " + round);
                assertEquals("2TDCZ 3MB", run(a, prepared), "again on the same server, round " + round);
            }
            // Another client's name is not its own: PostgreSQL's error, from pgmux.
            runError(b, concat(bind("s1"), EXECUTE, SYNC));
        }
    }

    /**
     * Requests a client sends while it waits for a server are kept as the bytes they came in and go out together
     * once a server comes: after the alignment of the client's settings, its statement renamed to the server's name
     * for it, or prepared first on a server that lacks it, each answered in order as on a direct connection.
     */
    @Test
    void requestsSentWhileWaitingRunInOrderWithTheClientsSettingsAndNames() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            a.query("SET work_mem = '3MB'");
            assertEquals("CZ", Raw.types(a.readUntilReady()));
            assertEquals("1Z -", run(a, concat(parse("s1", "SHOW work_mem"), SYNC)));
            for (int round = 0; round < 3; round++) {
                if (round > 0) {
                    // A new server from here on, which lacks s1: pgmux prepares it there ahead of the Bind.
                    String pid = Raw.queryOne(b, "select pg_backend_pid()");
                    try (Connection su = cluster.superuser()) {
                        Sql.one(su, "select pg_terminate_backend(" + pid + ")");
                    }
                    Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 0,
                            "the terminated server gone");
                }
                Raw.command(b, "begin");
                a.sendRaw(concat(bind("s1"), DESCRIBE_PORTAL, EXECUTE, SYNC,
                        parse("", "SELECT 'second ' || current_setting('work_mem')"), bind(""), DESCRIBE_PORTAL,
                        EXECUTE, SYNC));
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().clientsWaiting() == 1,
                        "a waits for the server, round " + round);
                Raw.command(b, "commit");
                assertEquals("2TDCZ 3MB", summary(a.readUntilReady()), "round " + round);
                assertEquals("12TDCZ second 3MB", summary(a.readUntilReady()), "round " + round);
            }
        }
    }

    private static String summary(List<BackendMessage> reply) {
        String value = reply.stream().filter(m -> m.type() == 'D').findFirst()
                .map(m -> m.dataRowText().get(0)).orElse("-");
        return Raw.types(reply) + " " + value;
    }

    /** Close of the prepared statement {@code name}. */
    private static byte[] closeStatement(String name) {
        byte[] cstring = message('x', name);
        return frame('C', concat(new byte[] {'S'}, java.util.Arrays.copyOfRange(cstring, 5, cstring.length)));
    }

    /** Describe of the prepared statement {@code name}. */
    private static byte[] describeStatement(String name) {
        byte[] cstring = message('x', name);
        return frame('D', concat(new byte[] {'S'}, java.util.Arrays.copyOfRange(cstring, 5, cstring.length)));
    }

    /** Sends {@code pipeline} in one write and reads {@code batches} answers up to ReadyForQuery, summarised. */
    private static String pipelined(RawPgClient client, byte[] pipeline, int batches) {
        client.sendRaw(pipeline);
        StringBuilder answers = new StringBuilder();
        for (int i = 0; i < batches; i++) {
            List<BackendMessage> reply = client.readUntilReady();
            answers.append(i == 0 ? "" : " | ").append(Raw.summary(reply)).append(reply.stream()
                    .filter(m -> m.type() == 'D').map(m -> " " + m.dataRowText().get(0)).findFirst().orElse(""));
        }
        return answers.toString();
    }

    /**
     * A change to a client's statement names that an error undoes: PostgreSQL reads a batch after a Sync only once
     * the batch before it has run, so a named Parse that failed there leaves the name free for the next batch, and
     * a Close it skipped leaves the statement in place. pgmux, which reads the whole pipeline as it arrives, makes
     * a message that reads the names wait for the answers before it; the answers match a direct connection's,
     * sent in one write.
     */
    @Test
    void aNameChangeAnErrorUndoesIsUndoneForTheNextBatchOfThePipeline() throws Exception {
        byte[] parseFailsThenSucceeds = parseFailsThenSucceeds("s3");
        byte[] closeSkipped = concat(parse("", "selec 1"), closeStatement("s1"), SYNC, bind("s1"), EXECUTE, SYNC,
                closeStatement("s1"), SYNC, bind("s1"), EXECUTE, SYNC);
        byte[] prepare = concat(parse("s1", "select 41"), SYNC);
        String direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct = pipelined(client, parseFailsThenSucceeds, 3) + " || " + pipelined(client, prepare, 1)
                    + " || " + pipelined(client, closeSkipped, 4);
        }
        assertEquals("E(ERROR 42601) Z(I) | 1 2 D C Z(I) 4 | 2 D C Z(I) 4 || 1 Z(I) || E(ERROR 42601) Z(I) "
                + "| 2 D C Z(I) 41 | 3 Z(I) | E(ERROR 26000) Z(I)", direct, "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient holder = proxy.rawLogin()) {
            assertEquals(direct, pipelined(client, parseFailsThenSucceeds, 3) + " || " + pipelined(client, prepare, 1)
                    + " || " + pipelined(client, closeSkipped, 4));
            // The same while the client waits for the server: its pipeline is kept as it came, and sent up to the
            // message that waits for the answers.
            Raw.command(holder, "begin");
            client.sendRaw(parseFailsThenSucceeds("s4"));
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().clientsWaiting() == 1, "the client waits");
            Raw.command(holder, "commit");
            assertEquals(direct.substring(0, direct.indexOf(" || ")), pipelined(client, new byte[0], 3));
        }
    }

    /**
     * A message that waits for the batch before it waits only for that batch's answers: the backend holds the
     * answers to what was sent after its Sync until the next Sync, which comes behind the waiting message.
     */
    @Test
    void aMessageWaitingForTheBatchBeforeItDoesNotWaitForTheMessagesSentSince() throws Exception {
        byte[][] pipelines = {
            concat(parse("s5", "select 1"), SYNC, parse("", "select 2"), bind(""), EXECUTE, bind("s5"), EXECUTE,
                    SYNC),
            concat(message('Q', "DEALLOCATE ALL"), parse("", "select 2"), parse("s6", "select 3"), SYNC),
            concat(parse("", "select 1"), closeStatement("b"), SYNC, parse("", "select 1"), closeStatement("c"),
                    SYNC),
            concat(parse("", "DEALLOCATE ALL"), closeStatement("b"), SYNC, parse("", "selec"), closeStatement("c"),
                    SYNC),
        };
        int[] batches = {2, 2, 2, 2};
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            for (int i = 0; i < pipelines.length; i++) {
                direct.append(pipelined(client, pipelines[i], batches[i])).append(" || ");
            }
        }
        assertEquals("1 Z(I) | 1 2 D C 2 D C Z(I) 2 || C Z(I) | 1 1 Z(I) || 1 3 Z(I) | 1 3 Z(I) || "
                + "1 3 Z(I) | E(ERROR 42601) Z(I) || ", direct.toString(), "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            StringBuilder through = new StringBuilder();
            for (int i = 0; i < pipelines.length; i++) {
                through.append(pipelined(client, pipelines[i], batches[i])).append(" || ");
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    /**
     * A named Parse that fails, with a Close or DEALLOCATE of its name behind it in the same batch (skipped): the
     * name stays free, as on a direct connection, and the next batch prepares it.
     */
    @Test
    void aParseThatFailsStaysUndoneWhenAChangePipelinedBehindItIsSkipped() throws Exception {
        byte[][] pipelines = {
            concat(parse("d1", "selec"), closeStatement("d1"), SYNC, parse("d1", "select 1"), SYNC, bind("d1"),
                    EXECUTE, SYNC),
            concat(parse("d2", "selec"), parse("", "DEALLOCATE d2"), bind(""), EXECUTE, SYNC, parse("d2", "select 2"),
                    SYNC, bind("d2"), EXECUTE, SYNC),
            concat(parse("d3", "selec"), parse("", "DEALLOCATE ALL"), bind(""), EXECUTE, SYNC,
                    parse("d3", "select 3"), SYNC, bind("d3"), EXECUTE, SYNC),
        };
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            for (byte[] each : pipelines) {
                direct.append(pipelined(client, each, 3)).append(" || ");
            }
        }
        assertEquals("E(ERROR 42601) Z(I) | 1 Z(I) | 2 D C Z(I) 1 || E(ERROR 42601) Z(I) | 1 Z(I) | 2 D C Z(I) 2 || "
                + "E(ERROR 42601) Z(I) | 1 Z(I) | 2 D C Z(I) 3 || ", direct.toString(), "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            StringBuilder through = new StringBuilder();
            for (byte[] each : pipelines) {
                through.append(pipelined(client, each, 3)).append(" || ");
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    /**
     * A DEALLOCATE Query of a statement the server holds no copy of (the pool knew its text, so pgmux answered the
     * client's Parse itself; another client's DEALLOCATE ALL took the server's copy), in a failed transaction and
     * after it: PostgreSQL's 25P02 with the name kept, then DEALLOCATE with the name gone, each request sent once the
     * one before is answered.
     */
    @Test
    void deallocateOfAStatementTheServerLacksAnswersAsPostgres() throws Exception {
        byte[][] steps = {
            concat(parse("k", "select 5"), SYNC), message('Q', "BEGIN"), message('Q', "select 1/0"),
            message('Q', "DEALLOCATE k"), message('Q', "ROLLBACK"), concat(bind("k"), EXECUTE, SYNC),
            message('Q', "DEALLOCATE k"), concat(bind("k"), EXECUTE, SYNC),
        };
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            for (byte[] each : steps) {
                direct.append(pipelined(client, each, 1)).append(" || ");
            }
        }
        assertEquals("1 Z(I) || C Z(T) || E(ERROR 22012) Z(E) || E(ERROR 25P02) Z(E) || C Z(I) || 2 D C Z(I) 5 || "
                + "C Z(I) || E(ERROR 26000) Z(I) || ", direct.toString(), "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient other = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("1 Z(I)", pipelined(other, concat(parse("o", "select 5"), SYNC), 1), "the pool learns the text");
            assertEquals("C Z(I)", pipelined(other, message('Q', "DEALLOCATE ALL"), 1), "the server's copy goes");
            StringBuilder through = new StringBuilder();
            for (byte[] each : steps) {
                through.append(pipelined(client, each, 1)).append(" || ");
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    /**
     * The same DEALLOCATEs pipelined in one write behind the error that fails the transaction, on a server without
     * the statement: nothing may be prepared there first, as a Parse failing in the failed transaction would leave
     * the backend skipping to a Sync that never comes.
     */
    @Test
    void deallocatePipelinedIntoAFailedTransactionAnswersAsPostgres() throws Exception {
        byte[] prepare = concat(parse("k", "select 6"), SYNC);
        byte[] write = concat(message('Q', "BEGIN"), message('Q', "select 1/0"), message('Q', "DEALLOCATE k"),
                message('Q', "ROLLBACK"), bind("k"), EXECUTE, SYNC, message('Q', "DEALLOCATE k"), bind("k"), EXECUTE,
                SYNC);
        String direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct = pipelined(client, prepare, 1) + " || " + pipelined(client, write, 7);
        }
        assertEquals("1 Z(I) || C Z(T) | E(ERROR 22012) Z(E) | E(ERROR 25P02) Z(E) | C Z(I) | 2 D C Z(I) 6 "
                + "| C Z(I) | E(ERROR 26000) Z(I)", direct, "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient other = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("1 Z(I)", pipelined(other, concat(parse("o", "select 6"), SYNC), 1));
            assertEquals("1 Z(I)", pipelined(client, prepare, 1), "answered by pgmux: the pool knows the text");
            assertEquals("C Z(I)", pipelined(other, message('Q', "DEALLOCATE ALL"), 1), "the server's copy goes");
            assertEquals(direct, "1 Z(I) || " + pipelined(client, write, 7));
        }
    }

    /**
     * A DEALLOCATE in a transaction block that dropped the statement's table, on a server without the statement:
     * PostgreSQL deallocates it, where preparing it there first would fail. Then the same through the extended
     * protocol (psycopg's cache eviction), where pgmux does prepare something under the name first.
     */
    @Test
    void deallocateAfterTheStatementsTableWasDroppedAnswersAsPostgres() throws Exception {
        String table = "dealloc_dropped_" + System.nanoTime();
        byte[] prepare = concat(parse("k", "select count(*) from " + table), SYNC);
        byte[] simple = concat(message('Q', "BEGIN"), message('Q', "DROP TABLE " + table),
                message('Q', "DEALLOCATE k"), message('Q', "ROLLBACK"), message('Q', "DEALLOCATE k"));
        byte[] extended = concat(message('Q', "BEGIN"), message('Q', "DROP TABLE " + table),
                parse("", "DEALLOCATE k"), bind(""), EXECUTE, SYNC, message('Q', "ROLLBACK"),
                message('Q', "DEALLOCATE k"));
        directly(message('Q', "CREATE TABLE " + table + " (i int)"));
        String direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct = pipelined(client, prepare, 1) + " || " + pipelined(client, simple, 5) + " || "
                    + pipelined(client, prepare, 1) + " || " + pipelined(client, extended, 5);
        }
        assertEquals("1 Z(I) || C Z(T) | C Z(T) | C Z(T) | C Z(I) | E(ERROR 26000) Z(I) || 1 Z(I) || C Z(T) | C Z(T) "
                + "| 1 2 C Z(T) | C Z(I) | E(ERROR 26000) Z(I)", direct, "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient other = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("1 Z(I)", pipelined(other, prepare, 1));
            StringBuilder through = new StringBuilder(pipelined(client, prepare, 1));
            for (byte[] write : new byte[][] {simple, prepare, extended}) {
                assertEquals("C Z(I)", pipelined(other, message('Q', "DEALLOCATE ALL"), 1), "the server's copy goes");
                through.append(" || ").append(pipelined(client, write, write == prepare ? 1 : 5));
            }
            assertEquals(direct, through.toString());
        } finally {
            directly(message('Q', "DROP TABLE " + table));
        }
    }

    /** Runs one request on a direct connection of its own, which must succeed. */
    private void directly(byte[] request) {
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            assertEquals("C Z(I)", pipelined(client, request, 1));
        }
    }

    /**
     * An error naming a client's statement names it as the client did, where the server knows it by pgmux's name:
     * a Bind with too few parameters, its message and every other field as on a direct connection.
     */
    @Test
    void anErrorNamesTheStatementAsTheClientNamedIt() throws Exception {
        byte[] prepare = concat(parse("mine", "select $1::int"), SYNC);
        byte[] tooFew = concat(bind("mine"), EXECUTE, SYNC);
        BackendMessage direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            assertEquals("1 Z(I)", pipelined(client, prepare, 1));
            client.sendRaw(tooFew);
            direct = client.readUntilReady().get(0);
        }
        assertEquals("bind message supplies 0 parameters, but prepared statement \"mine\" requires 1",
                direct.errorField('M'), "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            assertEquals("1 Z(I)", pipelined(client, prepare, 1));
            client.sendRaw(tooFew);
            List<BackendMessage> reply = client.readUntilReady();
            assertEquals("EZ", Raw.types(reply));
            for (char field : new char[] {'S', 'V', 'C', 'M', 'R'}) {
                assertEquals(direct.errorField(field), reply.get(0).errorField(field), "field " + field);
            }
        }
    }

    /**
     * A Query behind an extended-protocol batch that fails is skipped with it, and so is everything up to the Sync:
     * a message there that reads the client's names must not wait for the Query's answer, which never comes. Each
     * pipeline one write; then the statement still runs, as on a direct connection.
     */
    @Test
    void messagesBehindAQueryTheFailedBatchSkipsDoNotWaitForIt() throws Exception {
        byte[] bad = parse("bad", "selec");
        byte[][] pipelines = {
            concat(bad, message('Q', "DEALLOCATE s"), message('Q', "DEALLOCATE s"), SYNC),
            concat(bad, message('Q', "select 1"), message('Q', "DEALLOCATE s"), SYNC),
            concat(bad, message('Q', "DEALLOCATE s"), closeStatement("t"), SYNC),
            concat(bad, message('Q', "select 1"), bind("s"), EXECUTE, SYNC),
            concat(bad, message('Q', "select 1"), parse("u", "select 3"), SYNC),
            concat(bad, message('Q', "select 1"), closeStatement("s"), SYNC),
            concat(bad, message('Q', "DEALLOCATE ALL"), bind("s"), EXECUTE, SYNC),
            concat(parse("u", "selec"), message('Q', "select 1"), bind("u"), EXECUTE, SYNC),
            concat(bad, message('Q', "select 1"), message('Q', "select 2"), describeStatement("n"), SYNC),
            concat(bad, message('Q', "select 1"), message('Q', "select 2"), parse("n", "select 1"), SYNC),
            concat(bad, message('Q', "select 1"), message('Q', "DEALLOCATE ALL"), describeStatement("s"), SYNC),
            concat(bad, closeStatement("s"), parse("s", "select 4"), SYNC),
            concat(bad, message('Q', "DEALLOCATE s"), parse("s", "select 4"), SYNC),
            concat(parse("", "select 1/0"), bind(""), EXECUTE, message('Q', "DEALLOCATE s"),
                    message('Q', "DEALLOCATE s"), SYNC),
            concat(EXECUTE, message('Q', "ROLLBACK"), message('Q', "DEALLOCATE ALL"), describeStatement("s"), SYNC),
        };
        byte[] prepare = concat(parse("s", "select 1"), SYNC);
        byte[] run = concat(bind("s"), EXECUTE, SYNC);
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct.append(pipelined(client, prepare, 1));
            for (byte[] each : pipelines) {
                direct.append(" || ").append(pipelined(client, each, 1)).append(" | ").append(pipelined(client, run, 1));
            }
        }
        assertEquals("1 Z(I)" + (" || E(ERROR 42601) Z(I) | 2 D C Z(I) 1").repeat(13)
                + " || 1 E(ERROR 22012) Z(I) | 2 D C Z(I) 1 || E(ERROR 34000) Z(I) | 2 D C Z(I) 1", direct.toString(),
                "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            StringBuilder through = new StringBuilder(pipelined(client, prepare, 1));
            for (byte[] each : pipelines) {
                through.append(" || ").append(pipelined(client, each, 1)).append(" | ").append(pipelined(client, run, 1));
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    /**
     * A statement the server lost (another client's DEALLOCATE ALL), bound in a failed transaction and again after
     * its ROLLBACK, in one write: the Parse pgmux slips in ahead of the first Bind fails with the transaction, so the
     * second Bind waits for that answer and has the statement prepared again, as it exists on a direct connection.
     */
    @Test
    void aStatementPreparedInAFailedTransactionIsPreparedAgainAfterIt() throws Exception {
        byte[] prepare = concat(parse("s", "select 7"), SYNC);
        byte[] write = concat(message('Q', "BEGIN"), message('Q', "select 1/0"), bind("s"), EXECUTE, SYNC,
                message('Q', "ROLLBACK"), bind("s"), EXECUTE, SYNC);
        String direct;
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct = pipelined(client, prepare, 1) + " || " + pipelined(client, write, 5);
        }
        assertEquals("1 Z(I) || C Z(T) | E(ERROR 22012) Z(E) | E(ERROR 25P02) Z(E) | C Z(I) | 2 D C Z(I) 7", direct,
                "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient other = proxy.rawLogin();
             RawPgClient client = proxy.rawLogin()) {
            String through = pipelined(client, prepare, 1);
            assertEquals("C Z(I)", pipelined(other, message('Q', "DEALLOCATE ALL"), 1), "the server's copy goes");
            assertEquals(direct, through + " || " + pipelined(client, write, 5));
        }
    }

    /**
     * A Parse of a name the client holds: PostgreSQL reports a text that does not parse (42601), or a failed
     * transaction (25P02), before the taken name (42P05); the statement stays as it was.
     */
    @Test
    void aParseOfATakenNameReportsErrorsInPostgresqlsOrder() throws Exception {
        byte[] prepare = concat(parse("s", "select 1"), SYNC);
        byte[][] steps = {
            concat(parse("s", "selec"), SYNC), concat(parse("s", "select 2"), SYNC),
            concat(message('Q', "BEGIN"), message('Q', "select 1/0"), parse("s", "select 2"), SYNC,
                    message('Q', "ROLLBACK")),
            concat(bind("s"), EXECUTE, SYNC),
        };
        int[] batches = {1, 1, 4, 1};
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            direct.append(pipelined(client, prepare, 1));
            for (int i = 0; i < steps.length; i++) {
                direct.append(" || ").append(pipelined(client, steps[i], batches[i]));
            }
        }
        assertEquals("1 Z(I) || E(ERROR 42601) Z(I) || E(ERROR 42P05) Z(I) || C Z(T) | E(ERROR 22012) Z(E) "
                + "| E(ERROR 25P02) Z(E) | C Z(I) || 2 D C Z(I) 1", direct.toString(), "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            StringBuilder through = new StringBuilder(pipelined(client, prepare, 1));
            for (int i = 0; i < steps.length; i++) {
                through.append(" || ").append(pipelined(client, steps[i], batches[i]));
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    /**
     * A Query that drops the names and fails itself (DISCARD ALL inside a transaction block, 25001) behind an open
     * extended-protocol batch: PostgreSQL runs it, undoes its change, and reads on, so a Bind after it finds the
     * statement and fails with the transaction (25P02), not for want of the name. The Bind waits for the Query's
     * answer; when the batch before the Query fails instead, the error that skips the Query ends the wait. One that
     * succeeds (DEALLOCATE ALL) has dropped the name.
     */
    @Test
    void aMessageBehindAQueryThatFailsSeesItsChangeUndone() throws Exception {
        byte[][] pipelines = {
            concat(parse("c", "select 1"), message('Q', "BEGIN"), closeStatement(""), message('Q', "DISCARD ALL"),
                    bind("c"), EXECUTE, SYNC, message('Q', "ROLLBACK")),
            concat(parse("c", "selec"), message('Q', "DISCARD ALL"), bind("c"), EXECUTE, SYNC),
            concat(parse("c", "select 1"), message('Q', "BEGIN"), message('Q', "DEALLOCATE ALL"), bind("c"),
                    EXECUTE, SYNC, message('Q', "ROLLBACK")),
        };
        int[] batches = {4, 1, 4};
        List<String> answers = sideBySide(client -> {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < pipelines.length; i++) {
                out.append(pipelined(client, pipelines[i], batches[i])).append(" || ");
                pipelined(client, concat(message('Q', "DEALLOCATE ALL")), 1);
            }
            return out.toString();
        });
        assertEquals("1 C Z(T) | 3 E(ERROR 25001) Z(E) | E(ERROR 25P02) Z(E) | C Z(I) || E(ERROR 42601) Z(I) || "
                + "1 C Z(T) | C Z(T) | E(ERROR 26000) Z(E) | C Z(I) || ", answers.get(0), "the direct connection");
        assertEquals(answers.get(0), answers.get(1));
    }

    /**
     * Runs {@code script} on a direct connection, then on a client of pgmux (one server); returns what each gave,
     * in that order.
     */
    private List<String> sideBySide(java.util.function.Function<RawPgClient, String> script) {
        try (RawPgClient direct = RawPgClient.connect(cluster.host(), cluster.port());
             ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin()) {
            direct.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            return List.of(script.apply(direct), script.apply(client));
        }
    }

    /**
     * DISCARD ALL and DEALLOCATE ALL prepared as named statements drop the client's names, the statement's own
     * included, when executed (not when prepared), as on a direct connection: the name is free for a new Parse.
     */
    @Test
    void namedStatementsThatDropEveryNameDropThemWhenExecuted() throws Exception {
        String[] texts = {"DISCARD ALL", "deallocate  all"};
        List<String> answers = sideBySide(client -> {
            StringBuilder out = new StringBuilder();
            for (String text : texts) {
                String keep = "keep " + text;
                String drop = "drop " + text;
                byte[] prepare = concat(parse(keep, "select 1"), parse(drop, text), SYNC);
                byte[] run = concat(bind(drop), EXECUTE, SYNC);
                byte[] after = concat(parse(drop, "select 2"), bind(drop), EXECUTE, SYNC, bind(keep), EXECUTE, SYNC);
                out.append(pipelined(client, prepare, 1)).append(" | ").append(pipelined(client, run, 1))
                        .append(" | ").append(pipelined(client, after, 2)).append(" || ");
            }
            return out.toString();
        });
        assertEquals(("1 1 Z(I) | 2 C Z(I) | 1 2 D C Z(I) 2 | E(ERROR 26000) Z(I) || ").repeat(2), answers.get(0),
                "the direct connection");
        assertEquals(answers.get(0), answers.get(1));
    }

    /**
     * What drops or replaces the unnamed statement (a Query, a Close of it, an unnamed Parse) drops it only if the
     * backend runs it: skipped behind an error earlier in its batch, it leaves the statement as it was, and a Bind
     * of it in the next batch binds that, on a server where another client's unnamed statement replaced it too. A
     * Query runs and drops it even when it fails, and so does an unnamed Parse that fails. Each case on its own
     * writes, then in one write, where the next batch's Bind must wait for the answers before it.
     */
    @Test
    void theUnnamedStatementStaysWhenTheBackendSkipsWhatWouldDropIt() throws Exception {
        byte[] bad = parse("bad", "selec");
        byte[][] pipelines = {
            concat(bad, message('Q', "select 1"), SYNC),
            concat(bad, closeStatement(""), SYNC),
            concat(bad, parse("", "select 6"), SYNC),
            concat(bad, parse("", "select 6"), bind(""), EXECUTE, parse("", "select 7"), SYNC),
            concat(bad, message('Q', "DEALLOCATE ALL"), SYNC),
            concat(bad, message('Q', "DEALLOCATE s"), SYNC),
            concat(bad, message('Q', "DEALLOCATE nothing"), closeStatement(""), SYNC),
            concat(parse("", "select 8"), bind(""), EXECUTE, message('Q', "select 1"), SYNC),
            concat(message('Q', "selec")),
            concat(parse("", "select 1/0"), bind(""), EXECUTE, closeStatement(""), SYNC),
            concat(parse("", "select 9"), SYNC, bad, parse("", "select 10"), SYNC),
            concat(parse("", "selec"), parse("s", "select 2"), SYNC),
        };
        int[] batches = {1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2, 1};
        byte[] prepare = concat(closeStatement("s"), parse("s", "select 4"), parse("", "select 5"), SYNC);
        byte[] run = concat(bind(""), EXECUTE, SYNC);
        StringBuilder direct = new StringBuilder();
        try (RawPgClient client = RawPgClient.connect(cluster.host(), cluster.port());
             RawPgClient other = RawPgClient.connect(cluster.host(), cluster.port())) {
            client.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            other.login(TestRole.APP.user(), TestRole.APP_DATABASE, TestRole.APP.password(), null);
            for (int i = 0; i < pipelines.length; i++) {
                direct.append(unnamedAfter(client, other, prepare, pipelines[i], batches[i], run)).append(" || ");
            }
        }
        String skipped = twice("3 1 1 Z(I) | E(ERROR 42601) Z(I) | 2 D C Z(I) 5");
        assertEquals((skipped + " || ").repeat(7)
                + twice("3 1 1 Z(I) | 1 2 D C T D C Z(I) 8 | Z(I) | E(ERROR 26000) Z(I)") + " || "
                + twice("3 1 1 Z(I) | E(ERROR 42601) Z(I) | E(ERROR 26000) Z(I)") + " || "
                + twice("3 1 1 Z(I) | 1 E(ERROR 22012) Z(I) | E(ERROR 22012) Z(I)") + " || "
                + twice("3 1 1 Z(I) | 1 Z(I) | E(ERROR 42601) Z(I) | 2 D C Z(I) 9") + " || "
                + twice("3 1 1 Z(I) | E(ERROR 42601) Z(I) | E(ERROR 26000) Z(I)") + " || ", direct.toString(),
                "the direct connection");
        try (ProxyFixture proxy = ProxyFixture.config(cluster).poolSize(1).start();
             RawPgClient client = proxy.rawLogin();
             RawPgClient other = proxy.rawLogin()) {
            StringBuilder through = new StringBuilder();
            for (int i = 0; i < pipelines.length; i++) {
                through.append(unnamedAfter(client, other, prepare, pipelines[i], batches[i], run)).append(" || ");
            }
            assertEquals(direct.toString(), through.toString());
        }
    }

    private static String twice(String answers) {
        return answers + " / " + answers;
    }

    /**
     * Prepares, runs {@code pipeline} (answered by {@code batches} ReadyForQuery), lets {@code other} run an unnamed
     * statement of its own, and then {@code run}, a write each; then all three in one write.
     */
    private static String unnamedAfter(RawPgClient client, RawPgClient other, byte[] prepare, byte[] pipeline,
                                       int batches, byte[] run) {
        String apart = pipelined(client, prepare, 1) + " | " + pipelined(client, pipeline, batches) + " | ";
        // Through pgmux the other client's unnamed statement replaces the client's on their one server.
        assertEquals("1 2 D C Z(I) 99", pipelined(other, concat(parse("", "select 99"), run), 1));
        apart += pipelined(client, run, 1);
        String together = pipelined(client, concat(prepare, pipeline, run), batches + 2);
        return apart + " / " + together;
    }

    /** A named Parse that fails, then one of the same name that succeeds, each bound and executed, in one pipeline. */
    private static byte[] parseFailsThenSucceeds(String name) {
        return concat(parse(name, "selec 1"), bind(name), EXECUTE, SYNC, parse(name, "select 4"), bind(name), EXECUTE,
                SYNC, bind(name), EXECUTE, SYNC);
    }

    /** Sends {@code request}, which must fail with 26000 (invalid_sql_statement_name) and end ReadyForQuery. */
    private static void runError(RawPgClient client, byte[] request) {
        client.sendRaw(request);
        List<BackendMessage> reply = client.readUntilReady();
        assertEquals("EZ", Raw.types(reply));
        assertEquals("26000", reply.get(0).errorField('C'));
    }
}
