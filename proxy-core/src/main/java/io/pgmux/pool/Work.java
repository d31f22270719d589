package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;

/**
 * What the pool decided under its lock and does after releasing it: hand a server to a client, connect, close,
 * tell a waiting client, run a check, schedule a probe, write a log line. Entries are typed records in a reused
 * array, so recording one allocates nothing; {@link PoolLock#exit} runs them in the order recorded.
 */
final class Work {
    /** The pool's side of each recorded action. */
    interface Effects {
        /** Gives {@code server} (already ACTIVE for it) to {@code client}, on the client's event loop. */
        void deliver(ServerConnection server, PoolClient client);

        /** Makes the connection {@link PoolCore#openOne} counted, then connects it on {@code loop}. */
        void open(ServerPool pool, PoolSetup setup, EventLoop loop);

        /** Runs server_check_query on a CHECKING server. */
        void check(ServerConnection server);

        /** Lets pools behind {@code breaker} try again after {@code delayNanos}. */
        void probeLater(CircuitBreaker breaker, long delayNanos);

        /** Runs the tidy task of a per-loop list on its loop. */
        void tidy(LoopServers servers);

        /** The error a client gets after waiting {@code waitedMillis} in vain, from facts taken under the lock. */
        PgError waitTimeoutError(WaitTimeout facts);
    }

    /**
     * Why a wait timed out, as seen under the lock; the message is built after it. {@code lastConnectError} is the
     * pool's last failed login or connect, null when the last one succeeded; {@code full} the budget that was
     * exhausted, null when none was.
     */
    record WaitTimeout(ServerPool pool, long waitedMillis, WaitReason reason, PgError lastConnectError,
                       Budget full, int fullUsed) {
    }

    private enum Kind {
        DELIVER, OPEN, CLOSE, FAIL, WAIT_TIMEOUT, NOTIFY, CHECK, PROBE, TIDY, LOG_INFO, LOG_WARN, LOG_DEBUG,
        LOG_CIRCUIT_OPENED
    }

    private static final class Entry {
        Kind kind;
        Object a;
        Object b;
        Object c;
        Object d;
        long n;
        long m;
        WaitReason reason;

        void clear() {
            kind = null;
            a = null;
            b = null;
            c = null;
            d = null;
            reason = null;
        }
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PoolManager.class);

    private Entry[] entries = new Entry[4];
    private int size;

    private Entry add(Kind kind, Object a, Object b, Object c, long n) {
        if (size == entries.length) {
            entries = java.util.Arrays.copyOf(entries, size * 2);
        }
        Entry entry = entries[size];
        if (entry == null) {
            entry = new Entry();
            entries[size] = entry;
        }
        size++;
        entry.kind = kind;
        entry.a = a;
        entry.b = b;
        entry.c = c;
        entry.n = n;
        return entry;
    }

    void deliver(ServerConnection server, PoolClient client) {
        add(Kind.DELIVER, server, client, null, 0);
    }

    void open(ServerPool pool, PoolSetup setup, EventLoop loop) {
        add(Kind.OPEN, pool, setup, loop, 0);
    }

    void close(ServerConnection server) {
        add(Kind.CLOSE, server, null, null, 0);
    }

    /** The client gets {@code error} instead of a server, on its own event loop. */
    void fail(PoolClient client, PgError error) {
        add(Kind.FAIL, client, error, null, 0);
    }

    /** As {@link #fail}, with the error built from {@code facts} once the lock is released. */
    void failWaitTimeout(PoolClient client, ServerPool pool, long waitedMillis, WaitReason reason,
                         PgError lastConnectError, Budget full) {
        Entry entry = add(Kind.WAIT_TIMEOUT, client, pool, lastConnectError, waitedMillis);
        entry.d = full;
        entry.m = full == null ? 0 : full.used();
        entry.reason = reason;
    }

    /** The client has waited query_wait_notify, for {@code reason}; it is told on its own event loop. */
    void notifyWaiting(PoolClient client, ServerPool pool, long waitedMillis, WaitReason reason,
                       PgError lastConnectError) {
        add(Kind.NOTIFY, client, pool, lastConnectError, waitedMillis).reason = reason;
    }

    void check(ServerConnection server) {
        add(Kind.CHECK, server, null, null, 0);
    }

    void probeLater(CircuitBreaker breaker, long delayNanos) {
        add(Kind.PROBE, breaker, null, null, delayNanos);
    }

    void tidy(LoopServers servers) {
        add(Kind.TIDY, servers, null, null, 0);
    }

    /** A log line written after the lock: {@code format} with up to two arguments. */
    void info(String format, Object first, Object second) {
        add(Kind.LOG_INFO, format, first, second, 0);
    }

    void warn(String format, Object first, Object second) {
        add(Kind.LOG_WARN, format, first, second, 0);
    }

    void debug(String format, Object first, Object second) {
        add(Kind.LOG_DEBUG, format, first, second, 0);
    }

    /** The upstream of {@code pool} failed and its circuit opened for {@code delayNanos}. */
    void circuitOpened(ServerPool pool, CircuitBreaker breaker, PgError error, long delayNanos) {
        add(Kind.LOG_CIRCUIT_OPENED, pool, breaker, error, delayNanos);
    }

    /**
     * Does every recorded action, in order, even when one throws (the others must not be lost: a connection to
     * close, a client to answer); the first exception is rethrown at the end. An action may call back into the
     * pool on this thread, which then records into a Work of its own.
     */
    void runAll(Effects effects) {
        int n = size;
        RuntimeException failure = null;
        for (int i = 0; i < n; i++) {
            Entry each = entries[i];
            try {
                run(each, effects);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } finally {
                each.clear();
            }
        }
        size = 0;
        if (failure != null) {
            throw failure;
        }
    }

    private static void run(Entry entry, Effects effects) {
        switch (entry.kind) {
            case DELIVER:
                effects.deliver((ServerConnection) entry.a, (PoolClient) entry.b);
                break;
            case OPEN:
                effects.open((ServerPool) entry.a, (PoolSetup) entry.b, (EventLoop) entry.c);
                break;
            case CLOSE:
                ((ServerConnection) entry.a).close();
                break;
            case FAIL:
                failOnItsLoop((PoolClient) entry.a, (PgError) entry.b);
                break;
            case WAIT_TIMEOUT: {
                PgError error = effects.waitTimeoutError(new WaitTimeout((ServerPool) entry.b, entry.n,
                        entry.reason, (PgError) entry.c, (Budget) entry.d, (int) entry.m));
                failOnItsLoop((PoolClient) entry.a, error);
                break;
            }
            case NOTIFY: {
                PoolClient client = (PoolClient) entry.a;
                long waited = entry.n;
                WaitReason reason = entry.reason;
                PgError notice = WaitNotice.of((ServerPool) entry.b, waited, reason, (PgError) entry.c);
                client.eventLoop().execute(() -> client.waitingLong(waited, reason, notice));
                break;
            }
            case CHECK:
                effects.check((ServerConnection) entry.a);
                break;
            case PROBE:
                effects.probeLater((CircuitBreaker) entry.a, entry.n);
                break;
            case TIDY:
                effects.tidy((LoopServers) entry.a);
                break;
            case LOG_INFO:
                log.info((String) entry.a, entry.b, entry.c);
                break;
            case LOG_WARN:
                log.warn((String) entry.a, entry.b, entry.c);
                break;
            case LOG_DEBUG:
                log.debug((String) entry.a, entry.b, entry.c);
                break;
            case LOG_CIRCUIT_OPENED:
                log.warn("{}: connection to {} failed ({}); no new connections to it for {} ms", entry.a,
                        ((CircuitBreaker) entry.b).upstream(), ((PgError) entry.c).message(),
                        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(entry.n));
                break;
            default:
                throw new IllegalStateException("unknown work " + entry.kind);
        }
    }

    private static void failOnItsLoop(PoolClient client, PgError error) {
        client.eventLoop().execute(() -> client.acquireFailed(error));
    }

    /** A thread's Works, one per nesting level, reused. */
    static final class Stack {
        private Work[] works = new Work[2];
        private int depth;

        Work push() {
            if (depth == works.length) {
                works = java.util.Arrays.copyOf(works, depth * 2);
            }
            Work work = works[depth];
            if (work == null) {
                work = new Work();
                works[depth] = work;
            }
            depth++;
            return work;
        }

        void pop(Work work) {
            if (depth == 0 || works[depth - 1] != work) {
                throw new IllegalStateException("pool work released out of order");
            }
            depth--;
        }
    }
}
