package io.pgmux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmux.testing.Await;
import io.pgmux.testing.BackendMessage;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.PostgresExtension;
import io.pgmux.testing.RawPgClient;
import io.pgmux.testing.StartupResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
 * A CancelRequest for a client whose request waits for a server. PostgreSQL cancels a query blocked on a lock at
 * once: ERROR 57014 "canceling statement due to user request", then, for a simple Query, ReadyForQuery; for an
 * extended-protocol request, everything up to Sync is skipped and the Sync answers. pgmux does the same for a
 * request waiting in its queue, takes it out of the queue, and the client goes on. Each case is compared with a
 * direct connection whose request waits on a lock instead.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelWaitingIT {
    private static ProxyFixture proxy;
    private final PostgresCluster cluster;
    private RawPgClient holder;
    private ProxyFixture.StartupResultAndClient waiter;

    CancelWaitingIT(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    static void startProxy(PostgresCluster cluster) {
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists it_cancel_wait", "create table it_cancel_wait (n int)");
        proxy = ProxyFixture.config(cluster).poolSize(1).start();
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The holder keeps the only server in a transaction: whatever the waiter sends waits for it. */
    @BeforeEach
    void holdTheOnlyServer() {
        holder = proxy.rawLogin();
        waiter = proxy.rawLoginWithResult(null);
        Raw.command(holder, "begin");
    }

    @AfterEach
    void release() {
        try {
            holder.close();
            Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().serversIdle() == 1, "the server back");
        } finally {
            waiter.close();
        }
    }

    private RawPgClient waiting() {
        return waiter.client();
    }

    private void cancelWaiter() {
        StartupResult key = waiter.startup();
        RawPgClient.cancel(proxy.host(), proxy.port(), key.pid(), key.secret());
    }

    private void awaitWaiting(int clients) {
        Await.until(Duration.ofSeconds(5), () -> proxy.appSnapshot().clientsWaiting() == clients,
                clients + " client(s) waiting for the server");
    }

    /** On a direct connection: {@code wire} waits on the lock a second session holds, then is cancelled. */
    private String directCancelled(Wire wire, int readies) throws SQLException {
        try (RawPgClient locker = Raw.direct(cluster); RawPgClient direct = Raw.direct(cluster)) {
            Raw.command(locker, "begin");
            Raw.command(locker, "lock table it_cancel_wait");
            StringBuilder answers = new StringBuilder();
            int pid = Raw.pid(direct);
            wire.sendTo(direct);
            awaitLockWait(pid);
            try (Connection su = cluster.superuser()) {
                Sql.one(su, "select pg_cancel_backend(" + pid + ")");
            }
            for (int i = 0; i < readies; i++) {
                answers.append(answers.length() == 0 ? "" : " ").append(Raw.summary(direct.readUntilReady()));
            }
            Raw.command(locker, "rollback");
            return answers.toString();
        }
    }

    private void awaitLockWait(int pid) throws SQLException {
        try (Connection su = cluster.superuser();
             PreparedStatement ps = su.prepareStatement("select 1 from pg_stat_activity where pid = ? and wait_event_type = 'Lock'")) {
            ps.setInt(1, pid);
            Await.untilChecked(Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }, "backend " + pid + " to wait on a lock");
        }
    }

    @Test
    void aWaitingQueryIsCancelledWithPostgresErrorAndTheClientGoesOn() throws Exception {
        Wire query = new Wire().query("select count(*) from it_cancel_wait");
        String direct = directCancelled(query, 1);
        query.sendTo(waiting());
        awaitWaiting(1);
        cancelWaiter();
        List<BackendMessage> reply = waiting().readUntilReady();
        assertEquals(direct, Raw.summary(reply));
        assertEquals("canceling statement due to user request", reply.get(0).errorField('M'));
        assertEquals(0, proxy.appSnapshot().clientsWaiting(), "the request left the queue");
        Raw.command(holder, "commit");
        assertEquals("0", Raw.queryOne(waiting(), "select count(*) from it_cancel_wait"));
    }

    @Test
    void aWaitingExtendedBatchFailsUpToItsSync() throws Exception {
        Wire batch = new Wire().parse("", "select count(*) from it_cancel_wait").bind("", "").execute("").sync();
        String direct = directCancelled(batch, 1);
        batch.sendTo(waiting());
        awaitWaiting(1);
        cancelWaiter();
        List<BackendMessage> reply = waiting().readUntilReady();
        // PostgreSQL has parsed and bound before the Execute blocks; pgmux cancels before anything ran.
        assertEquals(direct.replace("1 2 ", ""), Raw.summary(reply));
        Raw.command(holder, "commit");
        assertEquals("0", Raw.queryOne(waiting(), "select count(*) from it_cancel_wait"));
    }

    @Test
    void aBatchWithoutSyncYetSkipsWhatFollowsUntilTheSync() throws Exception {
        Wire start = new Wire().parse("", "select count(*) from it_cancel_wait").bind("", "").execute("").flush();
        Wire rest = new Wire().parse("", "select 'skipped'").bind("", "").execute("").query("select 'skipped'").sync();
        String direct;
        try (RawPgClient locker = Raw.direct(cluster); RawPgClient client = Raw.direct(cluster)) {
            Raw.command(locker, "begin");
            Raw.command(locker, "lock table it_cancel_wait");
            int pid = Raw.pid(client);
            start.sendTo(client);
            awaitLockWait(pid);
            try (Connection su = cluster.superuser()) {
                Sql.one(su, "select pg_cancel_backend(" + pid + ")");
            }
            rest.sendTo(client);
            direct = Raw.summary(client.readUntilReady());
            Raw.command(locker, "rollback");
        }
        start.sendTo(waiting());
        awaitWaiting(1);
        cancelWaiter();
        assertEquals("E", Raw.types(List.of(waiting().read())));
        rest.sendTo(waiting());
        assertEquals(direct.replace("1 2 ", ""), "E(ERROR 57014) " + Raw.summary(waiting().readUntilReady()));
        Raw.command(holder, "commit");
        assertEquals("after", Raw.queryOne(waiting(), "select 'after'"));
    }

    @Test
    void onlyTheFirstOfTwoPipelinedQueriesIsCancelled() throws Exception {
        new Wire().query("select 'first'").query("select 'second'").sendTo(waiting());
        awaitWaiting(1);
        cancelWaiter();
        assertEquals("E(ERROR 57014) Z(I)", Raw.summary(waiting().readUntilReady()));
        assertEquals(1, proxy.appSnapshot().clientsWaiting(), "the second query still waits");
        Raw.command(holder, "commit");
        List<BackendMessage> second = waiting().readUntilReady();
        assertEquals("TDCZ", Raw.types(second));
        assertEquals("second", second.get(1).dataRowText().get(0));
    }

    @Test
    void onlyTheFirstOfTwoPipelinedExtendedBatchesIsCancelled() throws Exception {
        new Wire().parse("", "select 'first'").bind("", "").execute("").sync()
                .parse("", "select 'second'").bind("", "").execute("").sync().sendTo(waiting());
        awaitWaiting(1);
        cancelWaiter();
        assertEquals("E(ERROR 57014) Z(I)", Raw.summary(waiting().readUntilReady()));
        assertEquals(1, proxy.appSnapshot().clientsWaiting(), "the second batch still waits");
        Raw.command(holder, "commit");
        List<BackendMessage> second = waiting().readUntilReady();
        assertEquals("12DCZ", Raw.types(second));
        assertEquals("second", second.get(2).dataRowText().get(0));
    }

    @Test
    void aCancelForAClientWaitingBehindOthersLeavesThemWaiting() {
        try (RawPgClient other = proxy.rawLogin()) {
            other.query("select 'other'");
            awaitWaiting(1);
            waiting().query("select 'cancelled'");
            awaitWaiting(2);
            cancelWaiter();
            assertEquals("E(ERROR 57014) Z(I)", Raw.summary(waiting().readUntilReady()));
            assertEquals(1, proxy.appSnapshot().clientsWaiting());
            Raw.command(holder, "commit");
            assertEquals("TDCZ", Raw.types(other.readUntilReady()));
        }
    }
}
