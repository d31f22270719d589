package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After an error in an extended-protocol batch PostgreSQL ignores every message up to the next Sync, a simple
 * Query and a FunctionCall included (protocol docs, "Extended Query"). pgmux must expect exactly what the server
 * then sends: each case runs side by side on a direct connection and through pgmux, and afterwards the only
 * server of the pool must be free for the next client.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SkipToSyncIT {
    private static ProxyFixture proxy;
    private static int backendPidOid;
    private final PostgresCluster cluster;
    private RawPgClient direct;
    private RawPgClient client;

    SkipToSyncIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    static void startProxy(PostgresCluster cluster) {
        proxy = ProxyFixture.config(cluster).poolSize(1).start();
        try (RawPgClient direct = Raw.direct(cluster)) {
            backendPidOid = Integer.parseInt(Raw.queryOne(direct, "select 'pg_backend_pid'::regproc::oid::int"));
        }
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists it_skip", "create table it_skip (n int)");
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void connect() {
        direct = Raw.direct(cluster);
        client = proxy.rawLogin();
    }

    /** The only server must be back in the pool: another client gets it at once. */
    @AfterEach
    void theServerIsFreeForTheNextClient() {
        try (RawPgClient next = proxy.rawLogin()) {
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversActive() == 0,
                    "the server to go back to the pool");
            assertEquals("next", Raw.queryOne(next, "select 'next'"));
        } finally {
            direct.close();
            client.close();
        }
    }

    /** Sends the same bytes to both and returns what each answered, up to {@code readies} ReadyForQuery. */
    private void sameOnBoth(Wire wire, int readies) {
        wire.sendTo(direct);
        wire.sendTo(client);
        assertEquals(Raw.summary(read(direct, readies)), Raw.summary(read(client, readies)));
    }

    private static List<BackendMessage> read(RawPgClient from, int readies) {
        List<BackendMessage> all = new ArrayList<>();
        for (int i = 0; i < readies; i++) {
            all.addAll(from.readUntilReady());
        }
        return all;
    }

    @Test
    void aQueryAfterAnErrorIsIgnoredUntilSync() {
        sameOnBoth(new Wire().parse("", "select 1/0").bind("", "").execute("").query("select 'ignored'").sync(), 1);
        assertEquals("after", Raw.queryOne(client, "select 'after'"));
    }

    @Test
    void aFunctionCallAfterAnErrorIsIgnoredUntilSync() {
        sameOnBoth(new Wire().parse("", "select 1/0").bind("", "").execute("").functionCall(backendPidOid).sync(), 1);
    }

    @Test
    void aQueryAfterAnErrorThenSyncInALaterWrite() {
        new Wire().parse("", "select 1/0").bind("", "").execute("").query("select 'ignored'").sendTo(direct);
        new Wire().parse("", "select 1/0").bind("", "").execute("").query("select 'ignored'").sendTo(client);
        assertEquals(Raw.summary(List.of(direct.read(), direct.read())),
                Raw.summary(List.of(client.read(), client.read())));
        sameOnBoth(new Wire().sync(), 1);
    }

    @Test
    void anErrorAtTheFirstMessageAndSeveralQueriesBeforeSync() {
        sameOnBoth(new Wire().parse("", "select nope").query("select 1").query("select 2").flush()
                .functionCall(backendPidOid).bind("", "").execute("").sync()
                .query("select 'answered'"), 2);
    }

    @Test
    void aFunctionCallEndsABatchAsAQueryDoes() {
        sameOnBoth(new Wire().parse("", "select 1").bind("", "").execute("").functionCall(backendPidOid), 1);
    }

    @Test
    void anUnknownStatementNameFailsTheBatchAsOnTheServer() {
        sameOnBoth(new Wire().query("truncate it_skip"), 1);
        // The insert ran in the batch's implicit transaction, which the error rolls back.
        sameOnBoth(new Wire().parse("", "insert into it_skip values (1)").bind("", "").execute("")
                .bind("", "no_such_statement").execute("").query("select 'ignored'").sync(), 1);
        sameOnBoth(new Wire().query("select count(*) from it_skip"), 1);
        assertEquals("0", Raw.queryOne(client, "select count(*) from it_skip"));
    }

    @Test
    void anUnknownStatementNameInATransactionBlockFailsTheBlock() {
        sameOnBoth(new Wire().query("begin"), 1);
        sameOnBoth(new Wire().describeStatement("no_such_statement").sync(), 1);
        sameOnBoth(new Wire().query("select 1"), 1);
        sameOnBoth(new Wire().query("rollback"), 1);
    }

    @Test
    void aDuplicateStatementNameFailsTheBatchAsOnTheServer() {
        sameOnBoth(new Wire().parse("dup", "select 1").sync(), 1);
        sameOnBoth(new Wire().query("begin"), 1);
        sameOnBoth(new Wire().parse("dup", "select 2").query("select 'ignored'").sync(), 1);
        sameOnBoth(new Wire().query("rollback"), 1);
        sameOnBoth(new Wire().closeStatement("dup").sync(), 1);
    }
}
