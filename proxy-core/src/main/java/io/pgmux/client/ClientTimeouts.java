package io.pgmux.client;

import io.pgmux.config.Timeouts;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.server.ServerConnection;

/**
 * The timeouts of a logged-in client, with PgBouncer's names and meanings: {@code client_idle_timeout} (a client
 * with no server that sent nothing for that long is closed, 57P05), {@code idle_transaction_timeout} (a client
 * whose server sits idle in a transaction that long is closed, 25P03) and {@code query_timeout} (a request
 * running that long is cancelled on its server; the client gets the server's 57014; a server that has not answered
 * the cancel a query_timeout later, frozen or beyond a network that swallows everything, costs the client a FATAL
 * 57014 and is closed, as PgBouncer closes at query_timeout itself). Knows when the client last
 * spoke and its server last said ReadyForQuery, and decides; the session acts. Checked once a second on the
 * client's own loop, so no timer is armed per request. Times are {@link System#nanoTime()} readings.
 */
final class ClientTimeouts {
    /** What a check found due. */
    enum Due {
        NOTHING,
        /** client_idle_timeout passed: close with {@link ClientTimeouts#clientIdle}. */
        CLIENT_IDLE,
        /** idle_transaction_timeout passed: close with {@link ClientTimeouts#idleInTransaction}. */
        IDLE_IN_TRANSACTION,
        /** query_timeout passed: cancel the request on its server (once per request). */
        CANCEL_QUERY,
        /**
         * query_timeout passed once more since the cancel and the server has still not answered: close with
         * {@link ClientTimeouts#cancelUnanswered}.
         */
        CANCEL_UNANSWERED
    }

    /** The request's state on the linked server, as far as the timeouts care. */
    enum ServerSide {
        /** No server is linked. */
        NONE,
        /** Nothing outstanding, no transaction open. */
        IDLE,
        /** Nothing outstanding, but a transaction open. */
        IDLE_IN_TRANSACTION,
        /** A request is running. */
        RUNNING;

        /** Where {@code linked} stands; null for no server. */
        static ServerSide of(ServerConnection linked) {
            if (linked == null) {
                return NONE;
            }
            if (!linked.isQuiet()) {
                return RUNNING;
            }
            return linked.transactionStatus() == TransactionStatus.IDLE ? IDLE : IDLE_IN_TRANSACTION;
        }
    }

    private long lastMessageNanos;
    private long lastReadyNanos;
    /** Whether query_timeout already cancelled the current request: one cancel per request. */
    private boolean cancelSent;

    ClientTimeouts(long nowNanos) {
        lastMessageNanos = nowNanos;
        lastReadyNanos = nowNanos;
    }

    /** When the client last sent a message ({@link System#nanoTime()}); for SHOW CLIENTS' request_time. */
    long lastMessageNanos() {
        return lastMessageNanos;
    }

    /** The client sent a message: a new request may start, so query_timeout may cancel again. */
    void messageReceived(long nowNanos) {
        lastMessageNanos = nowNanos;
        cancelSent = false;
    }

    /** The server said ReadyForQuery for the client. */
    void readyForQuery(long nowNanos) {
        lastReadyNanos = nowNanos;
    }

    /**
     * What is due now.
     *
     * @param withoutServer whether the client is logged in and has no server (nor waits for one)
     */
    Due check(long nowNanos, Timeouts timeouts, boolean withoutServer, ServerSide server) {
        long idleFor = nowNanos - Math.max(lastMessageNanos, lastReadyNanos);
        long clientIdle = timeouts.clientIdleTimeout().toNanos();
        if (withoutServer) {
            return clientIdle > 0 && idleFor > clientIdle ? Due.CLIENT_IDLE : Due.NOTHING;
        }
        long idleTransaction = timeouts.idleTransactionTimeout().toNanos();
        if (server == ServerSide.IDLE_IN_TRANSACTION && idleTransaction > 0 && idleFor > idleTransaction) {
            return Due.IDLE_IN_TRANSACTION;
        }
        long queryTimeout = timeouts.queryTimeout().toNanos();
        if (server == ServerSide.RUNNING && queryTimeout > 0 && cancelSent
                && nowNanos - lastMessageNanos > 2 * queryTimeout) {
            return Due.CANCEL_UNANSWERED;
        }
        if (server == ServerSide.RUNNING && queryTimeout > 0 && !cancelSent
                && nowNanos - lastMessageNanos > queryTimeout) {
            cancelSent = true;
            return Due.CANCEL_QUERY;
        }
        return Due.NOTHING;
    }

    /** The notice ahead of the error a query cancelled for query_timeout gets from the server. */
    static PgError cancelling(Timeouts timeouts) {
        return new PgError(PgError.NOTICE, "00000", "pgmux: cancelling the query: it ran longer than query_timeout ("
                + timeouts.queryTimeout().toMillis() + " ms)", null, null);
    }

    static PgError cancelUnanswered(Timeouts timeouts) {
        return PgError.fatal(SqlState.QUERY_CANCELED, "pgmux: the query ran longer than query_timeout ("
                + timeouts.queryTimeout().toMillis() + " ms) and the server did not answer its cancel within"
                + " query_timeout again; the connection is closed");
    }

    static PgError clientIdle(Timeouts timeouts) {
        return PgError.fatal("57P05", "pgmux: closing the connection after client_idle_timeout ("
                + timeouts.clientIdleTimeout().toSeconds() + " s) without activity");
    }

    static PgError idleInTransaction(Timeouts timeouts) {
        return PgError.fatal("25P03", "pgmux: closing the connection: idle in transaction longer than "
                + "idle_transaction_timeout (" + timeouts.idleTransactionTimeout().toSeconds() + " s)");
    }
}
