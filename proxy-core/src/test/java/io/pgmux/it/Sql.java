package io.pgmux.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small JDBC and concurrency shorthands for the integration tests. */
final class Sql {
    private Sql() {
    }

    /** The first column of the first row, as text. */
    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from: " + sql);
            }
            return rs.getString(1);
        }
    }

    static int pid(Connection c) throws SQLException {
        return Integer.parseInt(one(c, "select pg_backend_pid()"));
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The SQLSTATE of the first SQLException in the cause chain, or null. */
    static String sqlState(Throwable t) {
        for (Throwable each = t; each != null; each = each.getCause()) {
            if (each instanceof SQLException && ((SQLException) each).getSQLState() != null) {
                return ((SQLException) each).getSQLState();
            }
        }
        return null;
    }

    @FunctionalInterface
    interface Task {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code task(0..n-1)} on n threads of a fixed pool, all released at once, and returns the failures
     * (empty when every task succeeded). Fails if they do not all finish within {@code timeout}.
     */
    static List<Throwable> concurrently(int n, Duration timeout, Task task) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    task.run(index);
                    return null;
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> each : futures) {
                try {
                    each.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                } catch (TimeoutException e) {
                    throw new AssertionError("tasks did not finish within " + timeout);
                }
            }
            return failures;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A readable summary of failures for an assertion message. */
    static String describe(List<Throwable> failures) {
        StringBuilder s = new StringBuilder(failures.size() + " failed");
        failures.stream().limit(5).forEach(f -> s.append("\n  ").append(f).append(" [SQLSTATE ")
                .append(sqlState(f)).append(']'));
        return s.toString();
    }
}
