package io.pgmux.it;

import io.pgmux.stats.PoolCounter;
import io.pgmux.testing.Await;
import io.pgmux.testing.PostgresCluster;
import io.pgmux.testing.RawPgClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * What the tests of messages cut off in the middle share (HalfForwardedMessagesIT, CopyAbandonedIT): one pgmux for
 * the class whose pool has a single server, so that the next client gets the very backend an earlier one left, and a
 * table of one int column to COPY into, empty at the start of each test. With it the pieces those tests build on:
 * the first part of a CopyData whose rest has not come, the pool's byte counters, and waits on a backend's state as
 * pg_stat_activity shows it.
 */
final class OneServerFixture implements AutoCloseable {
    /** The data a CopyData announces in {@link #partialCopyData}. */
    static final int ANNOUNCED_COPY_BYTES = 1000;
    /** The data {@link #partialCopyData} carries. */
    static final int SENT_COPY_BYTES = 10;

    private final PostgresCluster cluster;
    private final ProxyFixture proxy;
    private final String table;

    private OneServerFixture(PostgresCluster cluster, ProxyFixture proxy, String table) {
        this.cluster = cluster;
        this.proxy = proxy;
        this.table = table;
    }

    /** Starts pgmux with pool_size 1 in front of {@code cluster}; {@code table} is the test class's own. */
    static OneServerFixture start(PostgresCluster cluster, String table) {
        return new OneServerFixture(cluster, ProxyFixture.config(cluster).poolSize(1).start(), table);
    }

    ProxyFixture proxy() {
        return proxy;
    }

    /** Drops and creates the table: call it before each test. */
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

    @Override
    public void close() {
        proxy.close();
    }
}
