package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sync and Flush sent into a COPY FROM STDIN, before or after its CopyInResponse (protocol docs, "COPY Operations":
 * the backend ignores both in copy-in mode; a COPY begun by Execute still owes its batch the Sync sent after the
 * COPY's end). A COPY that fails on a bad row leaves copy-in mode there: the backend answers each Sync it reads after
 * that row with a ReadyForQuery (after an Execute's COPY, the first ends the skip to Sync). The client sends the COPY
 * and what the variant puts before the CopyInResponse in one write, waits for the CopyInResponse, then sends the rest
 * and a query of its own. Through pgmux it gets the very answers a direct connection gets (each variant runs there
 * first), the rows are as there, and while it stays connected and idle the pool's only server is free: the next
 * client gets that same backend and a clean answer.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncDuringCopyInIT {
    private static final String TABLE = "it_sync_during_copy_in";
    private static final String COPY = "copy " + TABLE + " from stdin";

    @RegisterExtension
    static final OneServerFixture fixture = new OneServerFixture(TABLE);
    private final PostgresCluster cluster;

    SyncDuringCopyInIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** What the client sends before the CopyInResponse comes (the COPY first), and after it. */
    record Variant(String name, Supplier<Wire> beforeCopyIn, Supplier<Wire> afterCopyIn) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                new Variant("Query, CopyData, Sync | CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").sync(), () -> new Wire().copyDone()),
                new Variant("Query, Sync, CopyData, Sync, Sync | CopyData, Sync, CopyDone",
                        () -> new Wire().query(COPY).sync().copyData("1\n").sync().sync(),
                        () -> new Wire().copyData("2\n").sync().copyDone()),
                new Variant("Query, CopyData, Flush | Flush, CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").flush(), () -> new Wire().flush().copyDone()),
                new Variant("Query, CopyData, Sync | CopyFail",
                        () -> new Wire().query(COPY).copyData("1\n").sync(), () -> copyFail(new Wire())),
                new Variant("Query | CopyData, Sync, CopyDone",
                        () -> new Wire().query(COPY), () -> new Wire().copyData("1\n").sync().copyDone()),
                new Variant("Query | bad CopyData, Sync, CopyDone",
                        () -> new Wire().query(COPY), () -> new Wire().copyData("x\n").sync().copyDone()),
                new Variant("Query, bad CopyData, Sync | CopyDone",
                        () -> new Wire().query(COPY).copyData("x\n").sync(), () -> new Wire().copyDone()),
                new Variant("Query, CopyData, Sync | bad CopyData, CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").sync(),
                        () -> new Wire().copyData("x\n").copyDone()),
                new Variant("Query, CopyData, Sync | bad CopyData, Sync, Sync, CopyData, Sync, CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").sync(),
                        () -> new Wire().copyData("x\n").sync().sync().copyData("2\n").sync().copyDone()),
                new Variant("Parse Bind Execute Sync | bad CopyData, Sync, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync(),
                        () -> new Wire().copyData("x\n").sync().copyDone().sync()),
                new Variant("Parse Bind Execute Sync, CopyData | Sync, bad CopyData, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync().copyData("1\n"),
                        () -> new Wire().sync().copyData("x\n").copyDone().sync()),
                new Variant("Parse Bind Execute Sync | CopyData, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync(),
                        () -> new Wire().copyData("1\n").copyDone().sync()),
                new Variant("Parse Bind Execute Sync, CopyData, Sync | CopyData, Sync, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync().copyData("1\n").sync(),
                        () -> new Wire().copyData("2\n").sync().copyDone().sync()),
                new Variant("Parse Bind Execute Flush, CopyData, Sync | CopyFail, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").flush().copyData("1\n").sync(),
                        () -> copyFail(new Wire()).sync()))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theClientGetsPostgresAnswersAndLeavesTheServerFree(Variant variant) throws Exception {
        String direct;
        try (RawPgClient client = Raw.direct(cluster)) {
            direct = Raw.summary(run(variant, client));
        }
        String directRows = rows();
        fixture.emptyTable();
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            List<BackendMessage> answers = run(variant, client);
            assertEquals(direct, Raw.summary(answers));
            String backend = answers.get(answers.size() - 3).dataRowText().get(0);
            Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                    "the idle client's server no longer held");
            try (RawPgClient next = fixture.proxy().rawLogin()) {
                assertEquals(backend, String.valueOf(Raw.pid(next)), "the next client gets the same backend");
            }
        }
        assertEquals(directRows, rows(), "the rows as on the direct connection");
    }

    /**
     * A Terminate behind a COPY that failed on a row with a Sync after that row: PostgreSQL answers the Sync before
     * it reads the Terminate and closes; so does pgmux, and the server is free afterwards.
     */
    @Test
    void aTerminateAfterAFailedCopyComesAfterTheAnswerToTheSyncBehindTheBadRow() {
        Supplier<Wire> rest = () -> new Wire().copyData("x\n").sync().copyDone().terminate();
        String direct;
        try (RawPgClient client = Raw.direct(cluster)) {
            new Wire().query(COPY).sendTo(client);
            client.expect('G');
            rest.get().sendTo(client);
            direct = Raw.summary(untilClosed(client));
        }
        String proxied;
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().query(COPY).sendTo(client);
            client.expect('G');
            rest.get().sendTo(client);
            proxied = Raw.summary(untilClosed(client));
        }
        assertEquals("E(ERROR 22P02) Z(I) Z(I)", direct);
        assertEquals(direct, proxied);
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals("", rows());
    }

    /**
     * A COPY that failed on a row while the client was still sending a CopyData in parts: the backend drops that
     * CopyData whole, so pgmux's own question about the Sync sent before the row waits until the CopyData is whole
     * (inside it, it would be dropped with it and never answered). The client gets PostgreSQL's answers and the
     * server is free afterwards.
     */
    @Test
    void aFailedCopysSyncsAreSettledOnlyOnceTheCopyDataPassingInPartsIsWhole() throws Exception {
        List<String> summaries = new ArrayList<>();
        for (boolean direct : new boolean[] {true, false}) {
            try (RawPgClient client = direct ? Raw.direct(cluster) : fixture.proxy().rawLogin()) {
                new Wire().query(COPY).sendTo(client);
                client.expect('G');
                byte[] syncThenBadRow = new Wire().sync().copyData("x\n").bytes();
                client.sendRaw(Wire.concat(syncThenBadRow, OneServerFixture.partialCopyData()));
                List<BackendMessage> answers = new ArrayList<>(client.readUntilReady());
                client.sendRaw(new byte[OneServerFixture.ANNOUNCED_COPY_BYTES - OneServerFixture.SENT_COPY_BYTES]);
                new Wire().copyDone().query("select 1").sendTo(client);
                answers.addAll(client.readUntilReady());
                summaries.add(Raw.summary(answers));
            }
        }
        assertEquals("E(ERROR 22P02) Z(I) T D C Z(I)", summaries.get(0));
        assertEquals(summaries.get(0), summaries.get(1));
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals("", rows());
    }

    /**
     * A COPY begun by Execute that fails on a row with a Sync sent among its data, then a Bind and Execute with no
     * Sync between: whether PostgreSQL answers them depends on whether it read that Sync before the bad row, which
     * nothing pgmux reads tells. pgmux says so with a FATAL and closes the client; the server is closed too, nothing
     * is committed, and the next client gets a clean answer.
     */
    @Test
    void requestsPgmuxCannotFollowAfterAFailedCopyEndTheClientWithAClearError() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().parse("", COPY).bind("", "").execute("").sync().sendTo(client);
            client.expect('1');
            client.expect('2');
            client.expect('G');
            new Wire().copyData("1\n").sync().copyData("x\n").copyDone().bind("", "").execute("").sync()
                    .sendTo(client);
            assertEquals("E(ERROR 22P02) E(FATAL 0A000)", Raw.summary(untilClosed(client)));
        }
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals("", rows(), "nothing committed");
    }

    /** Every message the server sends until it closes the connection. */
    private static List<BackendMessage> untilClosed(RawPgClient client) {
        ByteBuffer bytes = ByteBuffer.wrap(client.readUntilClosed());
        List<BackendMessage> messages = new ArrayList<>();
        while (bytes.remaining() >= 5) {
            char type = (char) bytes.get();
            byte[] body = new byte[bytes.getInt() - 4];
            bytes.get(body);
            messages.add(new BackendMessage(type, body));
        }
        assertEquals(0, bytes.remaining(), () -> "a message cut short after " + messages);
        return messages;
    }

    /**
     * Sends the variant around the CopyInResponse, then a query for the backend's pid; returns every answer up to
     * that query's ReadyForQuery.
     */
    private static List<BackendMessage> run(Variant variant, RawPgClient client) {
        variant.beforeCopyIn().get().sendTo(client);
        List<BackendMessage> answers = new ArrayList<>();
        BackendMessage message;
        do {
            message = client.read();
            answers.add(message);
        } while (message.type() != 'G');
        variant.afterCopyIn().get().query("select pg_backend_pid()").sendTo(client);
        boolean rowSeen = false;
        do {
            message = client.read();
            answers.add(message);
            rowSeen |= message.type() == 'D';
        } while (!rowSeen || message.type() != 'Z');
        return answers;
    }

    private static Wire copyFail(Wire wire) {
        return wire.message('f', "gave up\0".getBytes(StandardCharsets.UTF_8));
    }

    /** The table's rows, read through pgmux: a client that gets the pool's only server. */
    private static String rows() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            return Raw.queryOne(client, "select coalesce(string_agg(a::text, ',' order by a), '') from " + TABLE);
        }
    }
}
