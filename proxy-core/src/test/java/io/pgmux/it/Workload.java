package io.pgmux.it;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clients that keep pgmux busy while a test injects faults, each checking that everything it is told is its
 * own: worker {@code n} tags its queries, errors and session with {@code w<n>x}, so an answer, an error or a
 * setting meant for another client is seen as crossed. Transactions go into a {@link Ledger}. A connection that
 * breaks is closed and replaced; that is expected under faults and only counted.
 */
final class Workload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workload.class);
    private static final Pattern TAG = Pattern.compile("w(\\d+)x");

    /** What a worker does in one step. */
    enum Op { SHORT_TX, LONG_TX, ROLLBACK, ERROR, IDENTITY, LARGE_RESULT, COPY_IN, CANCEL, SESSION_SETTING }

    /** How the workers behave: the ops and their weights, and how often a worker reconnects. */
    record Mix(Map<Op, Integer> weights, double reconnectChance, int largeRows) {
        static Mix everything() {
            Map<Op, Integer> w = new EnumMap<>(Op.class);
            w.put(Op.SHORT_TX, 30);
            w.put(Op.LONG_TX, 5);
            w.put(Op.ROLLBACK, 8);
            w.put(Op.ERROR, 8);
            w.put(Op.IDENTITY, 25);
            w.put(Op.LARGE_RESULT, 4);
            w.put(Op.COPY_IN, 5);
            w.put(Op.CANCEL, 2);
            w.put(Op.SESSION_SETTING, 8);
            return new Mix(w, 0.1, 5_000);
        }

        Mix reconnecting(double chance) {
            return new Mix(weights, chance, largeRows);
        }

        /** Without {@code op}, e.g. without cancels while the postmaster, which forwards them, is frozen. */
        Mix without(Op op) {
            Map<Op, Integer> w = new EnumMap<>(weights);
            w.remove(op);
            return new Mix(w, reconnectChance, largeRows);
        }

        Mix only(Op... ops) {
            Map<Op, Integer> w = new EnumMap<>(Op.class);
            for (Op each : ops) {
                w.put(each, 1);
            }
            return new Mix(w, reconnectChance, largeRows);
        }
    }

    /** The figures of a run. */
    record Figures(long ops, long crossed, long broken, long connects, long connectFailures, long cancels,
                   List<String> crossings) {
        @Override
        public String toString() {
            return ops + " ops, " + connects + " connections (" + connectFailures + " refused), " + broken
                    + " broken by faults, " + cancels + " cancelled, " + crossed + " crossed";
        }
    }

    private final ProxyFixture proxy;
    private final Ledger ledger;
    private final Mix mix;
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "workload-cancel");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running = true;
    private final AtomicLong ops = new AtomicLong();
    private final AtomicLong crossed = new AtomicLong();
    private final AtomicLong broken = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private final List<String> crossings = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextWorker = new AtomicInteger(1);

    private Workload(ProxyFixture proxy, Ledger ledger, Mix mix) {
        this.proxy = proxy;
        this.ledger = ledger;
        this.mix = mix;
    }

    /** Starts {@code workers} clients; they run until {@link #stop}. */
    static Workload start(ProxyFixture proxy, Ledger ledger, int workers, Mix mix) {
        Workload load = new Workload(proxy, ledger, mix);
        for (int i = 0; i < workers; i++) {
            int id = load.nextWorker.getAndIncrement();
            Thread t = new Thread(() -> load.work(id), "workload-" + id);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    long ops() {
        return ops.get();
    }

    Figures figures() {
        return new Figures(ops.get(), crossed.get(), broken.get(), connects.get(), connectFailures.get(),
                cancels.get(), List.copyOf(crossings));
    }

    /** Stops the workers and waits for them; each closes its connection. */
    Figures stop(Duration timeout) throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop within " + timeout + ": "
                        + describe(t.getStackTrace()));
            }
        }
        canceller.shutdownNow();
        return figures();
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop(Duration.ofSeconds(90));
        }
    }

    private static String describe(StackTraceElement[] stack) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(stack.length, 12); i++) {
            s.append("\n\tat ").append(stack[i]);
        }
        return s.toString();
    }

    // ---- one worker ----------------------------------------------------------------------------------------

    private void work(int id) {
        Random random = new Random(id * 7919L);
        String tag = "w" + id + "x";
        Connection c = null;
        List<Op> ops = new ArrayList<>();
        mix.weights().forEach((op, weight) -> {
            for (int i = 0; i < weight; i++) {
                ops.add(op);
            }
        });
        while (running) {
            if (c == null || random.nextDouble() < mix.reconnectChance()) {
                closeQuietly(c);
                c = connect(tag);
                if (c == null) {
                    pause(50);
                    continue;
                }
            }
            Op op = ops.get(random.nextInt(ops.size()));
            try {
                run(op, c, id, tag, random);
                this.ops.incrementAndGet();
            } catch (SQLException e) {
                broken.incrementAndGet();
                log.debug("{}: {} broke: {} {}", tag, op, e.getSQLState(), e.getMessage());
                checkNotCrossed(tag, e.getMessage());
                closeQuietly(c);
                c = null;
            }
        }
        closeQuietly(c);
    }

    private Connection connect(String tag) {
        Properties props = new Properties();
        props.setProperty("ApplicationName", tag);
        props.setProperty("socketTimeout", "30");
        try {
            Connection c = proxy.connect(props);
            connects.incrementAndGet();
            return c;
        } catch (SQLException e) {
            connectFailures.incrementAndGet();
            log.debug("{}: connect failed: {} {}", tag, e.getSQLState(), e.getMessage());
            return null;
        }
    }

    private void run(Op op, Connection c, int id, String tag, Random random) throws SQLException {
        switch (op) {
            case SHORT_TX -> transaction(c, id, 1 + random.nextInt(3), 0, true);
            case LONG_TX -> transaction(c, id, 2, 50 + random.nextInt(200), true);
            case ROLLBACK -> transaction(c, id, 1 + random.nextInt(3), 0, false);
            case ERROR -> error(c, tag);
            case IDENTITY -> identity(c, id, tag);
            case LARGE_RESULT -> largeResult(c, id);
            case COPY_IN -> copyIn(c, id, 1 + random.nextInt(50));
            case CANCEL -> cancel(c, random);
            case SESSION_SETTING -> sessionSetting(c, tag);
        }
    }

    private void transaction(Connection c, int worker, int rows, int sleepMillis, boolean commit) throws SQLException {
        long tx = ledger.newTransaction();
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + Ledger.TABLE + " VALUES (?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                insert.setLong(1, tx);
                insert.setInt(2, worker);
                insert.setInt(3, i);
                insert.executeUpdate();
                if (sleepMillis > 0 && i == 0) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT pg_sleep(" + sleepMillis / 1000.0 + ")");
                    }
                }
            }
        } catch (SQLException e) {
            ledger.record(tx, Ledger.Outcome.ABORTED, rows);
            throw e;
        }
        if (!commit) {
            ledger.record(tx, Ledger.Outcome.ABORTED, rows);
            c.rollback();
            c.setAutoCommit(true);
            return;
        }
        try {
            c.commit();
        } catch (SQLException e) {
            ledger.record(tx, Ledger.Outcome.IN_DOUBT, rows);
            throw e;
        }
        ledger.record(tx, Ledger.Outcome.COMMITTED, rows);
        c.setAutoCommit(true);
    }

    private void copyIn(Connection c, int worker, int rows) throws SQLException {
        long tx = ledger.newTransaction();
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            data.append(tx).append('\t').append(worker).append('\t').append(i).append('\n');
        }
        try {
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + Ledger.TABLE + " FROM STDIN", new StringReader(data.toString()));
            if (copied != rows) {
                throw new AssertionError("COPY reported " + copied + " rows, sent " + rows);
            }
        } catch (SQLException e) {
            ledger.record(tx, Ledger.Outcome.IN_DOUBT, rows);
            throw e;
        } catch (java.io.IOException e) {
            ledger.record(tx, Ledger.Outcome.IN_DOUBT, rows);
            throw new SQLException("COPY stream failed", "08006", e);
        }
        ledger.record(tx, Ledger.Outcome.COMMITTED, rows);
    }

    private void error(Connection c, String tag) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeQuery("SELECT '" + tag + "'::int");
            throw new AssertionError("a bad cast succeeded");
        } catch (SQLException e) {
            if (!"22P02".equals(e.getSQLState())) {
                throw e;
            }
            checkNotCrossed(tag, e.getMessage());
            if (!e.getMessage().contains(tag)) {
                crossing(tag, "error without its own tag: " + e.getMessage());
            }
        }
    }

    private void identity(Connection c, int id, String tag) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + id + ", '" + tag + "', current_setting('application_name')")) {
            rs.next();
            if (rs.getInt(1) != id || !tag.equals(rs.getString(2))) {
                crossing(tag, "row " + rs.getInt(1) + "/" + rs.getString(2));
            }
            String appName = rs.getString(3);
            if (TAG.matcher(appName).find() && !appName.startsWith(tag)) {
                crossing(tag, "application_name " + appName);
            }
        }
    }

    private void sessionSetting(Connection c, String tag) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = '" + tag + "-set'");
            try (ResultSet rs = st.executeQuery("SHOW application_name")) {
                rs.next();
                if (!(tag + "-set").equals(rs.getString(1))) {
                    crossing(tag, "SET application_name then SHOW gave " + rs.getString(1));
                }
            }
        }
    }

    private void largeResult(Connection c, int id) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + id + ", g FROM generate_series(1, " + mix.largeRows() + ") g")) {
            int n = 0;
            while (rs.next()) {
                n++;
                if (rs.getInt(1) != id || rs.getInt(2) != n) {
                    crossing("w" + id + "x", "large result row " + n + ": " + rs.getInt(1) + "/" + rs.getInt(2));
                    return;
                }
            }
            if (n != mix.largeRows()) {
                crossing("w" + id + "x", "large result of " + n + " rows");
            }
        }
    }

    private void cancel(Connection c, Random random) throws SQLException {
        try (Statement st = c.createStatement()) {
            canceller.schedule(() -> {
                try {
                    st.cancel();
                } catch (SQLException e) {
                    log.debug("cancel failed: {}", e.toString());
                }
            }, 50 + random.nextInt(100), TimeUnit.MILLISECONDS);
            st.execute("SELECT pg_sleep(3)");
        } catch (SQLException e) {
            if (!"57014".equals(e.getSQLState())) {
                throw e;
            }
            cancels.incrementAndGet();
        }
    }

    private void checkNotCrossed(String tag, String text) {
        if (text == null) {
            return;
        }
        Matcher m = TAG.matcher(text);
        while (m.find()) {
            if (!m.group().equals(tag)) {
                crossing(tag, "saw " + m.group() + " in: " + text);
            }
        }
    }

    private void crossing(String tag, String what) {
        crossed.incrementAndGet();
        crossings.add(tag + ": " + what);
        log.error("CROSSED {}: {}", tag, what);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            // broken already
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
