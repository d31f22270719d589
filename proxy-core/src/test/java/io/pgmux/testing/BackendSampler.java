package io.pgmux.testing;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Polls pg_stat_activity on its own superuser connection while a test runs, counting the client backends of the
 * given users (and database, if any): the largest count seen, the last one and how many samples were taken. The
 * same count as {@link PostgresCluster#countBackends}, on one connection so that it can sample often. It is how a
 * test sees what the database sees of pgmux's caps, whatever pgmux's own counters say.
 *
 * <pre>{@code
 * try (BackendSampler sampler = BackendSampler.of(cluster, "app_user").database("app").serversOnly().start()) {
 *     ...
 *     assertTrue(sampler.max() <= 6);
 * }
 * }</pre>
 */
public final class BackendSampler implements AutoCloseable {
    private final Settings settings;
    private final Thread thread;
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicInteger last = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private Query query;

    /** What to count and how: built by {@link #of}, started by {@link Settings#start}. */
    public static final class Settings {
        private final PostgresCluster cluster;
        private final List<String> users;
        private String database;
        private boolean serversOnly;
        private boolean acrossRestarts;
        private Duration interval = Duration.ZERO;

        private Settings(PostgresCluster cluster, List<String> users) {
            this.cluster = cluster;
            this.users = users;
        }

        /** Counts backends on this database only (default: any database). */
        public Settings database(String name) {
            this.database = name;
            return this;
        }

        /**
         * Leaves out the connections pgmux opens that no pool holds: a fleet's control connections (application_name
         * {@code pgmux <instance id>}) and the one-query budget check pgmux runs at start and after a reload as the
         * first configured user (it reads {@code superuser_reserved_connections}). The check is told apart by its
         * query only once that runs: a test that loads pgmux to its budget waits for the check's log line first.
         */
        public Settings serversOnly() {
            this.serversOnly = true;
            return this;
        }

        /** The database may restart while sampling: a lost connection is opened again once the database is back. */
        public Settings acrossRestarts() {
            this.acrossRestarts = true;
            return this;
        }

        /** Pauses this long between samples (default: none, as fast as the database answers). */
        public Settings every(Duration pause) {
            this.interval = pause;
            return this;
        }

        /**
         * Terminates the users' existing backends, which can only be strays of earlier tests (an earlier pgmux may
         * have left a server connection open and it would be counted), takes a first sample on this thread (a wrong
         * query fails here, not in the sampling thread) and starts sampling. Call it before the pgmux under test
         * opens servers for these users.
         */
        public BackendSampler start() throws SQLException {
            for (String user : users) {
                cluster.terminateBackends(null, user);
            }
            return new BackendSampler(this);
        }
    }

    /** The statement that counts, on its own superuser connection. */
    private record Query(Connection superuser, PreparedStatement count) implements AutoCloseable {
        static Query open(Settings settings) throws SQLException {
            Connection superuser = settings.cluster.superuser();
            try {
                superuser.setAutoCommit(true);
                PreparedStatement count = superuser.prepareStatement("select count(*) from pg_stat_activity"
                        + " where backend_type = 'client backend' and pid <> pg_backend_pid()"
                        + " and (?::text is null or datname = ?) and usename = any(?)"
                        + (settings.serversOnly ? " and application_name not like 'pgmux %'"
                                + " and query not like '%superuser_reserved_connections%'" : ""));
                count.setString(1, settings.database);
                count.setString(2, settings.database);
                Array names = superuser.createArrayOf("text", settings.users.toArray());
                count.setArray(3, names);
                return new Query(superuser, count);
            } catch (SQLException e) {
                superuser.close();
                throw e;
            }
        }

        int run() throws SQLException {
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }

        @Override
        public void close() throws SQLException {
            superuser.close();
        }
    }

    /** Starts describing a sampler of the backends of {@code users} (at least one). */
    public static Settings of(PostgresCluster cluster, String... users) {
        if (users.length == 0) {
            throw new IllegalArgumentException("no user to count backends of");
        }
        return new Settings(cluster, List.of(users));
    }

    private BackendSampler(Settings settings) throws SQLException {
        this.settings = settings;
        this.query = Query.open(settings);
        try {
            sampleOnce();
        } catch (SQLException e) {
            query.close();
            throw e;
        }
        thread = new Thread(this::run, "backend-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                try {
                    sampleOnce();
                } catch (SQLException e) {
                    if (!settings.acrossRestarts) {
                        throw e;
                    }
                    reconnect();
                }
                if (!settings.interval.isZero()) {
                    Thread.sleep(settings.interval.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            closeQuery();
        }
    }

    /** Opens the connection again, retrying every 100 ms while the database is down, until closed. */
    private void reconnect() throws InterruptedException {
        try {
            query.close();
        } catch (SQLException alreadyBroken) {
            // The database dropped this connection: there is nothing left to close.
        }
        query = null;
        while (!stop) {
            try {
                query = Query.open(settings);
                return;
            } catch (SQLException down) {
                Thread.sleep(100); // the database is restarting; there is no state to await but its return
            }
        }
    }

    private void closeQuery() {
        if (query == null) {
            return;
        }
        try {
            query.close();
        } catch (SQLException e) {
            failure.compareAndSet(null, e);
        }
        query = null;
    }

    private void sampleOnce() throws SQLException {
        int n = query.run();
        last.set(n);
        max.accumulateAndGet(n, Math::max);
        samples.incrementAndGet();
    }

    /** The largest count since the start or the last {@link #resetMax}. */
    public int max() {
        return max.get();
    }

    /** The latest count. */
    public int last() {
        return last.get();
    }

    /** How many samples were taken. */
    public int samples() {
        return samples.get();
    }

    /** Starts a new maximum from the latest count, for a test that checks several phases in turn. */
    public void resetMax() {
        max.set(last.get());
    }

    /** Stops sampling and fails if the sampler itself broke (its maximum would mean nothing then). */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the backend sampler", e);
        }
        if (thread.isAlive()) {
            throw new AssertionError("backend sampler did not stop within 10 s");
        }
        if (failure.get() != null) {
            throw new AssertionError("backend sampler failed", failure.get());
        }
    }
}
