package io.pgmux.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients running 5 ms transactions ({@code select pg_sleep(0.005)}, autocommit) until stopped, each on a
 * connection of its own: what they completed is counted and what failed them, before {@link #stop}, is kept.
 */
public final class SqlLoad {
    /** Opens one client's connection. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong done = new AtomicLong();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code clients} daemon threads named {@code name}, each opening its connection with {@code connector}. */
    public SqlLoad(String name, int clients, Connector connector) {
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = connector.open(); Statement s = c.createStatement()) {
                    while (!stop.get()) {
                        s.execute("select pg_sleep(0.005)");
                        done.incrementAndGet();
                    }
                } catch (SQLException | RuntimeException e) {
                    if (!stop.get()) {
                        errors.add(e);
                    }
                }
            }, name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** Transactions completed so far. */
    public long done() {
        return done.get();
    }

    /** What failed a client before {@link #stop}. */
    public List<Throwable> errors() {
        return errors;
    }

    /**
     * The clients' connections are about to be cut: from now on they stop, and nothing that fails them is kept.
     * Returns at once; {@link #stop} waits for them.
     */
    public void expectCut() {
        stop.set(true);
    }

    /** Asks the clients to stop and waits up to 10 s for each. */
    public void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
