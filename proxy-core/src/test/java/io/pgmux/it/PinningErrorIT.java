package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code pinning: error} refuses what would pin a client as PostgreSQL refuses a statement: an ERROR 0A000, after
 * which the same connection goes on; inside a transaction block the block fails, as a direct connection's does
 * after an error (compared side by side, the error there being a statement PostgreSQL itself rejects).
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PinningErrorIT {
    /** Each statement that would pin its client, in a Query of its own. */
    private static final List<String> REFUSED = List.of("create temp table pinning_t (x int)",
            "PREPARE pinning_p AS select 1", "select pg_advisory_lock(7)", "LISTEN pinning_channel",
            "DECLARE pinning_c CURSOR WITH HOLD FOR select 1",
            "select set_config((select 'work_mem'), '1MB', false)", "LOAD 'plpgsql'");
    /** What a direct connection rejects with an ERROR of its own as it reads it (at Parse), standing for a refusal. */
    private static final String REJECTED = "select * from pinning_no_such_table";

    private final PostgresCluster cluster;

    PinningErrorIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    private ProxyFixture pgmux() {
        return ProxyFixture.config(cluster).poolSize(1).set("pinning", "error").start();
    }

    /** The messages of a reply, errors by severity alone (the SQLSTATEs differ by design). */
    private static String shape(RawPgClient client) {
        return Raw.summary(client.readUntilReady()).replaceAll("E\\(ERROR \\w+\\)", "E(ERROR)");
    }

    @Test
    void eachRefusedStatementIsAnErrorAndTheConnectionGoesOn() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            for (String sql : REFUSED) {
                a.query(sql);
                assertEquals("E(ERROR 0A000) Z(I)", Raw.summary(a.readUntilReady()), sql);
                assertEquals("1", Raw.queryOne(a, "select 1"), "the same connection after " + sql);
                assertEquals("0", Raw.queryOne(b, "select count(*) from pg_listening_channels()"),
                        "nothing of it reached the server b shares: " + sql);
            }
        }
    }

    @Test
    void insideATransactionBlockTheBlockFailsAsAfterAnyError() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = Raw.direct(cluster)) {
            for (RawPgClient each : List.of(a, d)) {
                each.query("BEGIN");
                each.readUntilReady();
            }
            a.query("LISTEN pinning_channel");
            d.query(REJECTED);
            assertEquals(shape(d), shape(a));
            for (String sql : List.of("select 1", "ROLLBACK", "select 1")) {
                a.query(sql);
                d.query(sql);
                assertEquals(Raw.summary(d.readUntilReady()), Raw.summary(a.readUntilReady()), sql);
            }
        }
    }

    @Test
    void anExtendedProtocolBatchSkipsToItsSyncAsAfterAnyError() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = Raw.direct(cluster)) {
            for (String begin : List.of("", "BEGIN")) {
                for (RawPgClient each : List.of(a, d)) {
                    if (!begin.isEmpty()) {
                        each.query(begin);
                        each.readUntilReady();
                    }
                    each.parse("", "select 1");
                    each.bind("", "");
                    each.execute("", 0);
                    each.parse("", each == a ? "LISTEN pinning_channel" : REJECTED);
                    each.bind("", "");
                    each.execute("", 0);
                    each.sync();
                }
                // The Execute before runs; the refused Parse fails; the rest is skipped up to the Sync.
                assertEquals(shape(d), shape(a), "in a block: " + !begin.isEmpty());
                for (RawPgClient each : List.of(a, d)) {
                    each.query("ROLLBACK");
                    each.readUntilReady();
                }
                assertEquals("1", Raw.queryOne(a, "select 1"));
            }
        }
    }

    /** Between transactions pgmux answers a named Parse of a statement its pool knows itself; never a refused one. */
    @Test
    void aNamedParseIsRefusedAndNeverLearntByThePool() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin();
             RawPgClient b = proxy.rawLogin()) {
            for (RawPgClient each : List.of(a, b, a)) {
                each.parse("pinning_s", "LISTEN pinning_channel");
                each.bind("", "pinning_s");
                each.execute("", 0);
                each.sync();
                assertEquals("E(ERROR 0A000) Z(I)", Raw.summary(each.readUntilReady()));
                assertEquals("1", Raw.queryOne(each, "select 1"));
            }
        }
    }

    /** A FunctionCall message of pg_advisory_lock(bigint) (OID 2880), its argument in text. */
    private static byte[] advisoryLockCall() {
        byte[] arg = "7".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(4 + 2 + 2 + 4 + arg.length + 2);
        body.putInt(2880).putShort((short) 0).putShort((short) 1).putInt(arg.length).put(arg).putShort((short) 0);
        return body.array();
    }

    @Test
    void aRefusedFunctionCallIsAnErrorAndTheConnectionGoesOn() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin()) {
            a.send('F', advisoryLockCall());
            assertEquals("E(ERROR 0A000) Z(I)", Raw.summary(a.readUntilReady()));
            assertEquals("1", Raw.queryOne(a, "select 1"));
            assertEquals("0", Raw.queryOne(a, "select count(*) from pg_locks where locktype = 'advisory'"));
        }
    }

    @Test
    void aRefusalKeepsItsPlaceAmongPipelinedRequests() {
        try (ProxyFixture proxy = pgmux();
             RawPgClient a = proxy.rawLogin();
             RawPgClient d = Raw.direct(cluster)) {
            for (RawPgClient each : List.of(a, d)) {
                each.query("select 1");
                each.query(each == a ? "LISTEN pinning_channel" : REJECTED);
                each.query("select 2");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(shape(d), shape(a), "reply " + i);
            }
        }
    }
}
