package io.pgmux.it;

import io.pgmux.stats.PoolCounter;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the tests of requests cut off or ended early share (HalfForwardedMessagesIT, CopyAbandonedIT,
 * TerminateWithoutSyncIT, CopyEndedAheadIT): one pgmux for the class whose pool has a single server, in front of the
 * shared cluster, so that the next client gets the very backend an earlier one left, and a table of one int column
 * to write into, empty at the start of each test. A JUnit extension: register it in a static field with
 * {@code @RegisterExtension}, and it starts pgmux before the class's tests, empties the table before each and stops
 * pgmux after them. With it the pieces those tests build on: the first part of a CopyData whose rest has not come,
 * the pool's byte counters, and waits on a backend's state as pg_stat_activity shows it.
 */
final class OneServerFixture implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    /** The data a CopyData announces in {@link #partialCopyData}. */
    static final int ANNOUNCED_COPY_BYTES = 1000;
    /** The data {@link #partialCopyData} carries. */
    static final int SENT_COPY_BYTES = 10;

    private final String table;
    private final PostgresCluster cluster = PostgresCluster.shared();
    /** Set before the class's tests, by {@link #beforeAll}. */
    private ProxyFixture proxy;

    /** @param table the test class's own table */
    OneServerFixture(String table) {
        this.table = table;
    }

    /** Starts pgmux with pool_size 1. */
    @Override
    public void beforeAll(ExtensionContext context) {
        proxy = ProxyFixture.config(cluster).poolSize(1).start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        emptyTable();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (proxy != null) {
            proxy.close();
        }
    }

    ProxyFixture proxy() {
        return proxy;
    }

    /** Drops and creates the table: done before each test, and by a test that runs several cases. */
    void emptyTable() {
        ClusterAdmin.appDdlUnchecked(cluster, "drop table if exists " + table, "create table " + table + " (a int)");
    }

    /**
     * A CopyData message announcing {@value #ANNOUNCED_COPY_BYTES} bytes of data, of which only the first
     * {@value #SENT_COPY_BYTES} (five rows) come: whoever reads it waits for the rest.
     */
    static byte[] partialCopyData() {
        int length = 4 + ANNOUNCED_COPY_BYTES;
        return new byte[] {'d', (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length,
            '1', '\n', '2', '\n', '3', '\n', '4', '\n', '5', '\n'};
    }

    /** The pool's only backend, as the next client sees it. */
    int poolBackend() {
        try (RawPgClient client = proxy.rawLogin()) {
            return Raw.pid(client);
        }
    }

    /** Bytes the app pool's servers sent to its clients. */
    long bytesSent() {
        return proxy.pool(ProxyFixture.APP_DB, ProxyFixture.APP_USER).stats().totals().get(PoolCounter.BYTES_SENT);
    }

    /** Bytes the app pool's clients sent to its servers. */
    long bytesReceived() {
        return proxy.pool(ProxyFixture.APP_DB, ProxyFixture.APP_USER).stats().totals().get(PoolCounter.BYTES_RECEIVED);
    }

    /** Waits up to 10 s until the backend is idle (not in COPY, not in a transaction). */
    void awaitBackendIdle(int pid) throws SQLException {
        awaitBackendState(pid, "idle");
    }

    /** Waits up to 10 s until the backend has ended. */
    void awaitBackendGone(int pid) throws SQLException {
        awaitBackendState(pid, "gone");
    }

    private void awaitBackendState(int pid, String state) throws SQLException {
        try (Connection su = cluster.superuser()) {
            Await.untilChecked(Duration.ofSeconds(10), () -> state.equals(Sql.one(su,
                    "select coalesce((select state from pg_stat_activity where pid = " + pid + "), 'gone')")),
                    "backend " + pid + " to be " + state);
        }
    }
}
