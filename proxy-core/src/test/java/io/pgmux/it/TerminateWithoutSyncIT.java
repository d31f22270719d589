package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.BackendMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Terminate behind an extended-protocol batch that has no Sync (protocol docs, "Extended Query", "Termination"):
 * no ReadyForQuery will ever answer the batch. PostgreSQL reads the Terminate once the batch has run, ends the
 * session and aborts the batch's implicit transaction. pgmux passes the Terminate on to the server (never a Sync in
 * the client's place, which would commit the batch): what the backend sends before it reads it reaches the client
 * as it is, the backend exits, and the pool's only server slot is free for the next client. Each variant runs on a
 * direct connection first, as the reference.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TerminateWithoutSyncIT {
    private static final String TABLE = "it_terminate_no_sync";
    private static final String INSERT = "insert into " + TABLE + " values (1)";

    @RegisterExtension
    static final OneServerFixture fixture = new OneServerFixture(TABLE);
    private final PostgresCluster cluster;

    TerminateWithoutSyncIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** What the client sends before the batch (answered, up to its ReadyForQuery), and the batch with Terminate. */
    record Variant(String name, Supplier<Wire> before, Supplier<Wire> batch) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                new Variant("Parse", null, () -> new Wire().parse("", INSERT).terminate()),
                new Variant("Parse Bind", null, () -> new Wire().parse("", INSERT).bind("", "").terminate()),
                new Variant("Parse Bind Execute", null,
                        () -> new Wire().parse("", INSERT).bind("", "").execute("").terminate()),
                new Variant("Parse Bind Execute Flush", null,
                        () -> new Wire().parse("", INSERT).bind("", "").execute("").flush().terminate()),
                new Variant("Describe", null, () -> new Wire().describeStatement("").terminate()),
                new Variant("Close", null, () -> new Wire().closeStatement("x").terminate()),
                new Variant("Bind Execute of a named statement", () -> new Wire().parse("ins", INSERT).sync(),
                        () -> new Wire().bind("", "ins").execute("").terminate()),
                new Variant("a Query, then Parse Bind Execute", null,
                        () -> new Wire().query("select 1").parse("", INSERT).bind("", "").execute("").terminate()),
                new Variant("a failed Parse, then Bind Execute", null,
                        () -> new Wire().parse("", "select * from no_such_table").bind("", "").execute("")
                                .terminate()))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theClientIsClosedTheServerFreedAndNothingCommitted(Variant variant) throws Exception {
        try (RawPgClient direct = Raw.direct(cluster)) {
            runs(variant, direct);
        }
        assertEquals("0", count(), "PostgreSQL aborted the batch");
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            runs(variant, client);
        }
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals("0", count(), "the batch was not committed through pgmux either");
    }

    /**
     * What the backend sends before it reads the Terminate: what a Flush asked for (protocol docs, "Extended Query":
     * Flush), an error (PostgreSQL flushes every error at once), a CopyInResponse, and in COPY FROM STDIN its protocol
     * error; answers to what came after the last Flush stay in its buffer. Through pgmux the client gets the same
     * answers before its connection closes, and the batch is not committed either.
     */
    static Stream<Arguments> answeredBatches() {
        return Stream.of(
                new Variant("a failed Parse, no Flush: the error comes unasked", null,
                        () -> new Wire().parse("", "select * from no_such_table").terminate()),
                new Variant("Parse Bind Execute of a COPY, no Flush: the CopyInResponse, then the Terminate in COPY",
                        null, () -> new Wire().parse("", "copy " + TABLE + " from stdin").bind("", "").execute("")
                                .terminate()),
                new Variant("Parse Bind Execute of a COPY, CopyData, CopyDone, Flush: the COPY's CommandComplete", null,
                        () -> new Wire().parse("", "copy " + TABLE + " from stdin").bind("", "").execute("")
                                .copyData("1\n").copyDone().flush().terminate()),
                new Variant("Parse Bind Execute of a COPY, a bad row: its error", null,
                        () -> new Wire().parse("", "copy " + TABLE + " from stdin").bind("", "").execute("")
                                .copyData("x\n").terminate()),
                new Variant("Describe of a statement never prepared: the error names it", null,
                        () -> new Wire().describeStatement("nosuch").terminate()),
                new Variant("Bind Execute of a statement never prepared", null,
                        () -> new Wire().bind("", "nosuch").execute("").flush().terminate()),
                new Variant("Bind Execute Flush with no unnamed statement", null,
                        () -> new Wire().bind("", "").execute("").flush().terminate()),
                new Variant("Parse of a name twice: 42P05", null,
                        () -> new Wire().parse("a", "select 1").parse("a", "select 2").terminate()),
                new Variant("Bind Execute Flush of a statement prepared before: no Parse of pgmux's shows",
                        () -> new Wire().parse("a", "select 1").sync(),
                        () -> new Wire().bind("", "a").execute("").flush().terminate()),
                new Variant("Describe Flush of a statement prepared before", () -> new Wire().parse("a", "select 1").sync(),
                        () -> new Wire().describeStatement("a").flush().terminate()),
                new Variant("Parse Bind Execute Flush", null,
                        () -> new Wire().parse("", INSERT).bind("", "").execute("").flush().terminate()),
                new Variant("Parse Bind Execute Flush, a long Execute", null,
                        () -> new Wire().parse("", INSERT + " returning pg_sleep(0.3)::text").bind("", "")
                                .execute("").flush().terminate()),
                new Variant("Parse Bind Flush Execute", null,
                        () -> new Wire().parse("", INSERT).bind("", "").flush().execute("").terminate()),
                new Variant("Parse Bind Execute Flush Describe", null,
                        () -> new Wire().parse("", INSERT).bind("", "").execute("").flush().describeStatement("")
                                .terminate()),
                new Variant("a Query, then Parse Bind Execute Flush", null,
                        () -> new Wire().query("select 1").parse("", INSERT).bind("", "").execute("").flush()
                                .terminate()),
                new Variant("a failed Parse, then Bind Execute Flush", null,
                        () -> new Wire().parse("", "select * from no_such_table").bind("", "").execute("").flush()
                                .terminate()),
                new Variant("Parse Bind Execute of a COPY, Flush, CopyData, CopyDone: the COPY ignores the Flush",
                        null, () -> new Wire().parse("", "copy " + TABLE + " from stdin").bind("", "").execute("")
                                .flush().copyData("1\n").copyDone().terminate()),
                new Variant("Parse Bind Execute of a COPY, Flush: the Terminate comes in COPY FROM STDIN", null,
                        () -> new Wire().parse("", "copy " + TABLE + " from stdin").bind("", "").execute("").flush()
                                .terminate()),
                new Variant("Bind Execute Flush of a named statement", () -> new Wire().parse("ins", INSERT).sync(),
                        () -> new Wire().bind("", "ins").execute("").flush().terminate()))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answeredBatches")
    void answersSentBeforeTheTerminateReachTheClient(Variant variant) throws Exception {
        String direct;
        try (RawPgClient client = Raw.direct(cluster)) {
            direct = answersUntilClosed(variant, client);
        }
        assertEquals("0", count(), "PostgreSQL aborted the batch");
        String proxied;
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            proxied = answersUntilClosed(variant, client);
        }
        assertEquals(direct, proxied);
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals("0", count(), "the batch was not committed through pgmux either");
    }

    private static String answersUntilClosed(Variant variant, RawPgClient client) {
        if (variant.before() != null) {
            variant.before().get().sendTo(client);
            client.readUntilReady();
        }
        variant.batch().get().sendTo(client);
        ByteBuffer bytes = ByteBuffer.wrap(client.readUntilClosed());
        List<BackendMessage> messages = new ArrayList<>();
        while (bytes.remaining() >= 5) {
            char type = (char) bytes.get();
            byte[] body = new byte[bytes.getInt() - 4];
            bytes.get(body);
            messages.add(new BackendMessage(type, body));
        }
        assertEquals(0, bytes.remaining(), () -> "a message cut short after " + messages);
        // With the errors' text: a statement's name in it must be the client's, never a stand-in of pgmux's.
        return messages.stream().map(m -> m.type() == 'E'
                ? "E(" + m.errorField('S') + " " + m.errorField('C') + " " + m.errorField('M') + ")"
                : String.valueOf(m.type())).collect(Collectors.joining(" "));
    }

    /**
     * A client that sends requests and Terminate and hangs up while they run: PostgreSQL reads the Terminate only
     * after running what came before it, so requests that end with a ReadyForQuery run to their end and commit; an
     * extended-protocol batch with no Sync behind them is aborted. Through pgmux alike, and the pool's server is
     * back for the next client. Each case on a direct connection first. (A client that hangs up while it still waits
     * for a server has its requests dropped, as PgBouncer drops them: see the README.)
     */
    @Test
    void requestsBeforeTheTerminateRunToTheirEndWhenTheClientHangsUp() throws Exception {
        String slowInsert = "insert into " + TABLE + " select 1 from pg_sleep(0.3)";
        List<Supplier<Wire>> cases = List.of(
                () -> new Wire().query(slowInsert).terminate(),
                () -> new Wire().query(slowInsert).query(INSERT).terminate(),
                () -> new Wire().parse("", slowInsert).bind("", "").execute("").sync().terminate(),
                () -> new Wire().query(slowInsert).parse("", INSERT).bind("", "").execute("").terminate(),
                () -> new Wire().query(slowInsert).query("copy " + TABLE + " from stdin").copyData("5\n")
                        .terminate(),
                // A SET whose readback, a query of pgmux's own, is the last thing the server answers.
                () -> new Wire().query(slowInsert).query("set application_name = 'left'").terminate(),
                // A transaction block left open: the Terminate rolls it back.
                () -> new Wire().query("begin").query(slowInsert).terminate());
        List<String> expected = List.of("1", "2", "1", "1", "1", "1", "0");
        for (int i = 0; i < cases.size(); i++) {
            for (boolean proxied : new boolean[] {false, true}) {
                fixture.emptyTable();
                try (RawPgClient client = proxied ? fixture.proxy().rawLogin() : Raw.direct(cluster)) {
                    // A first query answered before the hang-up: the rest reached a server, and the slow insert runs.
                    new Wire().query("select 1").sendTo(client);
                    cases.get(i).get().sendTo(client);
                    client.readUntilReady();
                }
                String want = expected.get(i);
                String where = (proxied ? "through pgmux" : "direct") + ", case " + i;
                try (RawPgClient watcher = Raw.direct(cluster)) {
                    // The backend runs on after the hang-up; once its rows are in, it must end with nothing more.
                    String rows = "select count(*) from " + TABLE;
                    Await.until(Duration.ofSeconds(10), () -> Raw.queryOne(watcher, rows).equals(want), where);
                    Await.until(Duration.ofSeconds(10), () -> Raw.queryOne(watcher, "select count(*) from"
                            + " pg_stat_activity where datname = current_database() and state <> 'idle'"
                            + " and pid <> pg_backend_pid()").equals("0"), where + ": no backend still busy");
                    if (proxied) {
                        Await.until(Duration.ofSeconds(10), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                                where + ": the server no longer held");
                    }
                    assertEquals(want, Raw.queryOne(watcher, rows), where);
                }
            }
        }
    }

    /** The server stays with the client that sent a batch with no Sync and goes silent: that is legitimate. */
    @Test
    void aFlushedBatchThenSilenceKeepsTheServer() throws Exception {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().parse("", INSERT).bind("", "").execute("").flush().sendTo(client);
            assertEquals("12C", Raw.types(List.of(client.read(), client.read(), client.read())));
            assertEquals(1, fixture.proxy().appSnapshot().serversActive(), "the batch's server stays the client's");
            new Wire().sync().sendTo(client);
            assertEquals('I', client.expect('Z').readyStatus());
        }
        assertEquals("1", count(), "the Sync committed the batch");
    }

    private static void runs(Variant variant, RawPgClient client) {
        if (variant.before() != null) {
            variant.before().get().sendTo(client);
            client.readUntilReady();
        }
        variant.batch().get().sendTo(client);
        assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)), variant + ": the connection closes after Terminate");
    }

    /** The table's rows, read through pgmux: a client that gets the pool's only server. */
    private static String count() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            return Raw.queryOne(client, "select count(*) from " + TABLE);
        }
    }
}
