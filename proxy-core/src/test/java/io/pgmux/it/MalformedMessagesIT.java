package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.LogCapture;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client's malformed message is refused as it arrives: a FATAL 08P01 naming what PostgreSQL names (a direct
 * connection gives the same SQLSTATE and words, as an ERROR; pgmux closes a client that breaks the protocol),
 * whichever event loop the pool's idle server is on, with no server held or blamed, no exception swallowed into
 * the log, and no buffer leaked.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedMessagesIT {
    private static ProxyFixture proxy;
    private final PostgresCluster cluster;
    private LogCapture log;

    MalformedMessagesIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    static void startProxy(PostgresCluster cluster) {
        // One server on two event loops: clients alternate between the loops, and the idle server follows the
        // client that used it last, so each case meets the server on its own loop and on the other one.
        // That one server is the whole budget, so the utilization warning, a true operational warning and no
        // swallowed exception, is off here: the log check below is about the latter.
        proxy = ProxyFixture.config(cluster).poolSize(1).set("utilization_warn_percent", "0").start();
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void captureLog() {
        log = LogCapture.start();
    }

    @AfterEach
    void nothingHeldNothingSwallowed() {
        try (RawPgClient next = proxy.rawLogin()) {
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "no server held for a refused client");
            assertEquals("next", Raw.queryOne(next, "select 'next'"));
            assertEquals(List.of(), log.linesWith(" WARN ", " ERROR ", "internal error"));
        } finally {
            log.close();
        }
    }

    private static byte[] message(char tag, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) tag).putInt(body.length + 4).put(body).array();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("Bind with an empty body", message('B', new byte[0])),
                Arguments.of("Bind cut inside its parameters", message('B',
                        Wire.concat(Wire.cstring(""), Wire.cstring("s"), new byte[] {0, 0, 0, 1, 0, 0, 0, 9, 'x'}))),
                Arguments.of("Parse without a terminator", message('P', new byte[] {'a', 'b', 'c'})),
                Arguments.of("Parse with fewer parameter types than it counts", message('P',
                        Wire.concat(Wire.cstring("s"), Wire.cstring("select 1"), new byte[] {0, 2, 0, 0, 0, 23}))),
                Arguments.of("Describe of an unknown target", message('D', Wire.concat(new byte[] {'X'}, Wire.cstring("s")))),
                Arguments.of("Close of an unknown target", message('C', Wire.concat(new byte[] {'X'}, Wire.cstring("s")))),
                Arguments.of("Execute cut short", message('E', new byte[] {0, 0})),
                Arguments.of("Query without a terminator", message('Q', new byte[] {'s', 'e', 'l'})),
                // 1251 is int4abs, one int4 argument (pg_proc OIDs below 10000 are fixed across versions).
                Arguments.of("FunctionCall cut inside its argument", message('F',
                        new byte[] {0, 0, 4, (byte) 0xe3, 0, 0, 0, 1, 0, 0, 0, 9, 'x'})),
                Arguments.of("Flush with a body", message('H', new byte[] {1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void anIdleClientsMalformedMessageIsFatal08P01InPostgresWords(String what, byte[] bytes) {
        // PostgreSQL looks a Bind's statement up before it reads the parameters: give both sides one.
        Wire prepare = new Wire().parse("s", "select $1::text").sync();
        String postgresSays;
        try (RawPgClient direct = Raw.direct(cluster)) {
            prepare.sendTo(direct);
            assertEquals("1Z", Raw.types(direct.readUntilReady()));
            direct.sendRaw(Wire.concat(bytes, new Wire().sync().bytes()));
            List<BackendMessage> reply = direct.readUntilReady();
            assertEquals("08P01", reply.get(0).errorField('C'), reply::toString);
            postgresSays = reply.get(0).errorField('M');
        }
        for (int round = 0; round < 4; round++) {
            try (RawPgClient client = proxy.rawLogin()) {
                prepare.sendTo(client);
                assertEquals("1Z", Raw.types(client.readUntilReady()));
                assertEquals("1", Raw.queryOne(client, "select 1"));
                Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1, "the server idle");
                client.sendRaw(Wire.concat(bytes, new Wire().sync().bytes()));
                BackendMessage error = Raw.expectFatal(client, "08P01");
                assertTrue(error.errorField('M').endsWith(": " + postgresSays), error::toString);
                assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
            }
        }
    }

    @Test
    void fiveIdleClientsSendingMalformedBindsDoNotExhaustThePool() {
        List<RawPgClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawPgClient each = proxy.rawLogin();
                clients.add(each);
                assertEquals("1", Raw.queryOne(each, "select 1"));
            }
            for (RawPgClient each : clients) {
                each.sendRaw(Wire.concat(message('B', new byte[0]), new Wire().sync().bytes()));
            }
            for (RawPgClient each : clients) {
                Raw.expectFatal(each, "08P01");
                assertTrue(each.isClosedByPeer(Duration.ofSeconds(5)));
            }
        } finally {
            clients.forEach(RawPgClient::close);
        }
    }

    @Test
    void aMalformedMessageBehindAWaitingRequestEndsOnlyThatClient() {
        try (RawPgClient holder = proxy.rawLogin(); RawPgClient waiter = proxy.rawLogin()) {
            Raw.command(holder, "begin");
            waiter.sendRaw(Wire.concat(new Wire().query("select 'never'").bytes(), message('B', new byte[0])));
            Raw.expectFatal(waiter, "08P01");
            assertTrue(waiter.isClosedByPeer(Duration.ofSeconds(5)));
            assertEquals("held", Raw.queryOne(holder, "select 'held'"));
            Raw.command(holder, "commit");
        }
    }

    @Test
    void aMalformedMessageInATransactionEndsTheClientAndTheServerIsRolledBackAndReused() throws Exception {
        ClusterAdmin.appDdl(cluster, "drop table if exists it_malformed", "create table it_malformed (n int)");
        try (RawPgClient client = proxy.rawLogin()) {
            Raw.command(client, "begin");
            Raw.command(client, "insert into it_malformed values (1)");
            client.sendRaw(message('E', new byte[] {0}));
            Raw.expectFatal(client, "08P01");
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(5)));
        }
        try (RawPgClient next = proxy.rawLogin()) {
            assertEquals("0", Raw.queryOne(next, "select count(*) from it_malformed"));
        }
    }
}
