package io.pgmux.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.client.ClientServices;
import io.pgmux.client.DrainState;
import io.pgmux.pool.PoolManager;
import io.pgmux.protocol.PgError;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a graceful shutdown once new logins are refused: each pooled client is told once that the drain
 * began and is closed with FATAL 57P01 as soon as it is between transactions, at once or when its transaction ends
 * ({@link ClientServices#drainClients}; PostgreSQL's smart-then-fast shutdown, as a client sees it); every few tens
 * of milliseconds a step checks whether clients remain (logged in or still logging in), and at the deadline
 * (shutdown_timeout) closes every client left; then the idle servers are closed with Terminate, and, once they are
 * gone (or after {@link #SERVER_GRACE}), the process's loops stop.
 */
final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    /** What PostgreSQL sends a backend's client at a fast shutdown or pg_terminate_backend. */
    static final PgError ADMIN_SHUTDOWN = DrainState.ADMIN_SHUTDOWN;
    /** How long closed servers get to say goodbye before their sockets are closed anyway. */
    static final Duration SERVER_GRACE = Duration.ofSeconds(2);
    private static final long STEP_MILLIS = 50;

    private final ClientServices services;
    private final PoolManager pools;
    private final EventLoopGroup loops;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile ScheduledFuture<?> steps;
    /** The shutdown asked for: the first request's time, the last request's kind; null until one is. */
    private volatile Request request;

    /**
     * How the shutdown went, in PostgreSQL's words: smart lets the clients finish (SIGTERM, SHUTDOWN
     * WAIT_FOR_SERVERS or WAIT_FOR_CLIENTS), fast closes every connection now (SIGINT, a second SIGTERM, SHUTDOWN).
     */
    enum Kind {
        SMART("smart"), FAST("fast");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    private record Request(Kind kind, long sinceNanos) {
    }

    Drain(ClientServices services, PoolManager pools, EventLoopGroup loops) {
        this.services = services;
        this.pools = pools;
        this.loops = loops;
    }

    CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** Begins the drain once; {@code close} stops the process and completes the stage it is given. */
    CompletableFuture<Void> start(Duration timeout, boolean waitForClients,
                                  Consumer<CompletableFuture<Void>> close) {
        if (!started.compareAndSet(false, true)) {
            return stopped;
        }
        long now = System.nanoTime();
        request = new Request(Kind.SMART, now);
        long deadline = now + timeout.toNanos();
        log.info("shutting down: no new clients; {}", waitForClients ? "waiting for every client to leave"
                : "clients may finish their transactions for up to " + timeout.toMillis() + " ms");
        if (!waitForClients) {
            services.drainClients();
        }
        Step step = new Step(deadline, waitForClients, close);
        steps = loops.next().scheduleAtFixedRate(step, STEP_MILLIS, STEP_MILLIS, TimeUnit.MILLISECONDS);
        return stopped;
    }

    /**
     * Stops at once: every connection closes now. Each logged-in client, pooled or on the console, in a transaction,
     * waiting for a server or idle, first gets FATAL 57P01, as PostgreSQL's fast shutdown sends every backend's
     * client: the error is posted to the client's event loop ahead of the close of its channel, which the same loop
     * runs after it. A client still logging in only sees its connection close.
     */
    CompletableFuture<Void> now(Consumer<CompletableFuture<Void>> close) {
        started.set(true);
        Request earlier = request;
        request = new Request(Kind.FAST, earlier == null ? System.nanoTime() : earlier.sinceNanos());
        ScheduledFuture<?> running = steps;
        if (running != null) {
            running.cancel(false);
        }
        if (!closing.get()) {
            services.forEachClient(client -> client.terminate(ADMIN_SHUTDOWN));
        }
        finish(close);
        return stopped;
    }

    /**
     * The last line pgmux logs, once everything has closed (as PostgreSQL's "database system is shut down"): how
     * it stopped and how long that took from the first request. Nothing when no shutdown was asked for.
     */
    void logStopped() {
        Request asked = request;
        if (asked != null) {
            log.info("pgmux stopped ({} shutdown in {} ms)", asked.kind().word,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked.sinceNanos()));
        }
    }

    private void finish(Consumer<CompletableFuture<Void>> close) {
        if (closing.compareAndSet(false, true)) {
            close.accept(stopped);
        }
    }

    private final class Step implements Runnable {
        private final long deadline;
        private final boolean waitForClients;
        private final Consumer<CompletableFuture<Void>> close;
        /** When the servers were told to close; 0 while clients remain. */
        private long serversClosingSince;

        Step(long deadline, boolean waitForClients, Consumer<CompletableFuture<Void>> close) {
            this.deadline = deadline;
            this.waitForClients = waitForClients;
            this.close = close;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            if (serversClosingSince == 0) {
                boolean late = !waitForClients && now - deadline >= 0;
                // A connection still logging in counts as a client: one the listener took before it stopped (a
                // rolling restart's so_reuseport listener closes at once) logs in and is served, and any other
                // is answered 57P03, rather than either seeing its connection drop in the middle of its login.
                // client_login_timeout bounds how long one that never finishes can hold the drain.
                int remaining = services.clientCount() + services.loginClientCount();
                if (remaining > 0 && now - deadline < SERVER_GRACE.toNanos() || waitForClients && remaining > 0) {
                    if (late) {
                        services.forEachClient(client -> client.terminate(ADMIN_SHUTDOWN));
                    }
                    return;
                }
                log.info("shutting down: {} client(s) left; closing the servers", remaining);
                serversClosingSince = now;
                pools.closeAll();
            }
            if (pools.serversOpen(Optional.empty()) == 0 || now - serversClosingSince >= SERVER_GRACE.toNanos()) {
                steps.cancel(false);
                finish(close);
            }
        }
    }
}
