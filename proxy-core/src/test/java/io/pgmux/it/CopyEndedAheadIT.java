package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A COPY FROM STDIN sent whole in one write, its data and end (CopyDone or CopyFail) included, with whatever
 * follows and a Terminate: the COPY's end reaches the backend before its CopyInResponse reaches pgmux. PostgreSQL
 * reads the end as the COPY's, answers the COPY and what follows, then reads the Terminate and closes (protocol
 * docs, "COPY Operations", "Termination"). Through pgmux the client gets the very same answers, the rows are
 * committed (or not) as on the direct connection, which each variant runs on first, and the pool's only server is
 * free afterwards.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CopyEndedAheadIT {
    private static final String TABLE = "it_copy_ended_ahead";
    private static final String COPY = "copy " + TABLE + " from stdin";

    @RegisterExtension
    static final OneServerFixture fixture = new OneServerFixture(TABLE);
    private final PostgresCluster cluster;

    CopyEndedAheadIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * A pipeline sent in one write, Terminate last. {@code whole}: pgmux answers all PostgreSQL does; otherwise the
     * batch ends with no Sync after its COPY, and pgmux closes the client without waiting for the rest of the
     * batch's answers (see TerminateWithoutSyncIT), so they are a beginning of PostgreSQL's.
     */
    record Variant(String name, Supplier<Wire> pipeline, boolean whole) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                new Variant("Query, CopyData, CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").copyDone().terminate(), true),
                new Variant("Query, CopyData, CopyDone, Query",
                        () -> new Wire().query(COPY).copyData("1\n").copyDone().query("select 1").terminate(), true),
                new Variant("Query, CopyData, Sync, Flush, CopyData, Sync, CopyDone",
                        () -> new Wire().query(COPY).copyData("1\n").sync().flush().copyData("2\n").sync().copyDone()
                                .terminate(), true),
                new Variant("Query, CopyData, CopyFail",
                        () -> copyFail(new Wire().query(COPY).copyData("1\n")).terminate(), true),
                new Variant("Parse Bind Execute, CopyData, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").copyData("1\n").copyDone().sync()
                                .terminate(), true),
                new Variant("Parse Bind Execute Sync, CopyData, CopyDone, Sync",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync().copyData("1\n").copyDone()
                                .sync().terminate(), true),
                new Variant("Parse Bind Execute, CopyData, CopyFail, Sync",
                        () -> copyFail(new Wire().parse("", COPY).bind("", "").execute("").copyData("1\n")).sync()
                                .terminate(), true),
                new Variant("three COPYs, the second failed",
                        () -> copyFail(new Wire().query(COPY).copyData("1\n").copyDone().query(COPY).copyData("2\n"))
                                .query(COPY).copyData("3\n").copyDone().terminate(), true),
                new Variant("Parse Bind Execute Sync, CopyData, CopyDone: no Sync after the COPY",
                        () -> new Wire().parse("", COPY).bind("", "").execute("").sync().copyData("1\n").copyDone()
                                .terminate(), false))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theClientGetsPostgresAnswersAndTheRowsAsDirect(Variant variant) throws Exception {
        String direct;
        try (RawPgClient client = Raw.direct(cluster)) {
            variant.pipeline().get().sendTo(client);
            direct = Raw.summary(untilClosed(client));
        }
        String directRows = rows();
        fixture.emptyTable();
        String proxied;
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            variant.pipeline().get().sendTo(client);
            proxied = Raw.summary(untilClosed(client));
        }
        if (variant.whole()) {
            assertEquals(direct, proxied);
        } else {
            assertTrue(direct.startsWith(proxied) && proxied.startsWith("1 2 G"), proxied + " begins " + direct);
        }
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        assertEquals(directRows, rows(), "the rows as on the direct connection");
    }

    /** The same without the Terminate: the client hangs up. The server is not held, and serves the next client. */
    @Test
    void aClientThatHangsUpAfterACopySentWholeLeavesNoServerHeld() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().query(COPY).copyData("1\n").copyDone().sendTo(client);
        }
        Await.until(Duration.ofSeconds(5), () -> fixture.proxy().appSnapshot().serversActive() == 0,
                "the client's server no longer held");
        try (RawPgClient next = fixture.proxy().rawLogin()) {
            assertEquals("1", Raw.queryOne(next, "select 1"));
        }
    }

    /** The same pipeline with the Terminate sent once the answers came: the COPY is committed and the client leaves. */
    @Test
    void aTerminateAfterTheAnswersLeavesQuietly() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            new Wire().query(COPY).copyData("1\n").copyDone().sendTo(client);
            assertEquals("G C Z(I)", Raw.summary(client.readUntilReady()));
            new Wire().terminate().sendTo(client);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
        assertEquals("1", rows());
    }

    private static Wire copyFail(Wire wire) {
        return wire.message('f', "gave up\0".getBytes(StandardCharsets.UTF_8));
    }

    /** Every message the server sends until it closes the connection. */
    private static List<BackendMessage> untilClosed(RawPgClient client) {
        ByteBuffer bytes = ByteBuffer.wrap(client.readUntilClosed());
        List<BackendMessage> messages = new ArrayList<>();
        while (bytes.remaining() >= 5) {
            char type = (char) bytes.get();
            int length = bytes.getInt();
            byte[] body = new byte[length - 4];
            bytes.get(body);
            messages.add(new BackendMessage(type, body));
        }
        assertEquals(0, bytes.remaining(), () -> "a message cut short after " + messages);
        return messages;
    }

    /** The table's rows, read through pgmux: a client that gets the pool's only server. */
    private static String rows() {
        try (RawPgClient client = fixture.proxy().rawLogin()) {
            return Raw.queryOne(client, "select coalesce(string_agg(a::text, ',' order by a), '') from " + TABLE);
        }
    }
}
