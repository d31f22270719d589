package io.pgmux.it;

import io.pgmux.testing.PostgresCluster;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Polls pg_stat_activity on its own superuser connection while a test runs, counting the client backends of the
 * given users (and database, if any), and remembers the largest count seen. The same count as
 * {@link PostgresCluster#countBackends}, on one connection so that it can sample often.
 */
final class BackendSampler implements AutoCloseable {
    private final Connection superuser;
    private final PreparedStatement count;
    private final Thread thread;
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    private BackendSampler(PostgresCluster cluster, String database, List<String> users) throws SQLException {
        superuser = cluster.superuser();
        superuser.setAutoCommit(true);
        count = superuser.prepareStatement("select count(*) from pg_stat_activity"
                + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                + " and (?::text is null or datname = ?) and usename = any(?)");
        count.setString(1, database);
        count.setString(2, database);
        Array names = superuser.createArrayOf("text", users.toArray());
        count.setArray(3, names);
        thread = new Thread(this::run, "backend-sampler");
        thread.setDaemon(true);
    }

    /**
     * Starts sampling backends of {@code users} on {@code database} (null: any database). Call it before the
     * pgmux under test opens servers for these users: it first terminates their existing backends, which can only
     * be strays of earlier tests (see {@link ClusterAdmin#terminateStrayBackends}).
     */
    static BackendSampler start(PostgresCluster cluster, String database, String... users) throws SQLException {
        for (String each : users) {
            ClusterAdmin.terminateStrayBackends(cluster, each);
        }
        BackendSampler sampler = new BackendSampler(cluster, database, List.of(users));
        sampler.sampleOnce(); // fail here, not in the thread, when the query is wrong
        sampler.thread.start();
        return sampler;
    }

    private void run() {
        try {
            while (!stop) {
                sampleOnce();
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private void sampleOnce() throws SQLException {
        try (ResultSet rs = count.executeQuery()) {
            rs.next();
            int n = rs.getInt(1);
            max.accumulateAndGet(n, Math::max);
            samples.incrementAndGet();
        }
    }

    int max() {
        return max.get();
    }

    int samples() {
        return samples.get();
    }

    /** Stops sampling and fails if the sampler itself broke (its maximum would mean nothing then). */
    @Override
    public void close() throws SQLException {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        superuser.close();
        if (failure.get() != null) {
            throw new AssertionError("backend sampler failed", failure.get());
        }
    }
}
