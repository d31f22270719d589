package io.pgmux.client;

import io.netty.channel.Channel;
import io.pgmux.config.Timeouts;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.server.ServerConnection;
import io.pgmux.stats.PoolStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pooled session does when time passes or the client cancels: client_idle_timeout,
 * idle_transaction_timeout and query_timeout (checked once a second), and a CancelRequest forwarded to the server
 * running the client's request or applied to the request still waiting for one. Confined to the client's event
 * loop.
 */
final class SessionWatch {
    private static final Logger log = LoggerFactory.getLogger(SessionWatch.class);

    private final PooledSession session;
    private final ClientConnection client;
    private final ClientServices services;
    private final ServerPool pool;
    private final PoolStats stats;
    private final ClientTimeouts timeouts = new ClientTimeouts(System.nanoTime());

    SessionWatch(PooledSession session, ClientConnection client, ClientServices services, ServerPool pool) {
        this.session = session;
        this.client = client;
        this.services = services;
        this.pool = pool;
        this.stats = pool.stats();
    }

    ClientTimeouts timeouts() {
        return timeouts;
    }

    void check(long nowNanos, Timeouts configured) {
        ServerConnection linked = client.state() == ClientState.ACTIVE ? session.server() : null;
        switch (timeouts.check(nowNanos, configured, client.state() == ClientState.IDLE,
                ClientTimeouts.ServerSide.of(linked))) {
            case CLIENT_IDLE:
                client.fail(ClientTimeouts.clientIdle(configured));
                break;
            case IDLE_IN_TRANSACTION:
                client.fail(ClientTimeouts.idleInTransaction(configured));
                break;
            case CANCEL_QUERY:
                // The server answers the cancelled query with 57014 query_canceled, which the client receives in
                // PostgreSQL's words for any cancel ("due to user request"): a notice ahead of it says whose it is.
                log.info("client {}: cancelling a query running longer than query_timeout", client.describe());
                stats.queryTimedOut();
                if (!session.insideForwardedMessage()) {
                    Channel channel = client.channel();
                    channel.writeAndFlush(ErrorResponse.encodeNotice(channel.alloc(), ClientTimeouts.cancelling(
                            configured)), channel.voidPromise());
                }
                services.pools().cancel(linked);
                break;
            case CANCEL_UNANSWERED:
                // Frozen, or gone without a word (a network that swallows everything): the client gets its error
                // now, and leaving closes the server, which cannot be trusted any more.
                log.warn("client {}: the server did not answer the cancel of a query running longer than"
                        + " query_timeout; closing the client and the server", client.describe());
                client.fail(ClientTimeouts.cancelUnanswered(configured));
                break;
            default:
                break;
        }
    }

    /**
     * Forwards the cancel to the server running the client's request, or cancels the request still waiting for
     * a server. A client with nothing running is left alone, as PostgreSQL does.
     */
    void cancelRequested() {
        ServerConnection linked = session.server();
        if (client.state() == ClientState.ACTIVE && linked != null && !linked.isQuiet()) {
            stats.cancelForwarded();
            services.pools().cancel(linked);
        } else if (client.state() == ClientState.WAITING) {
            cancelWaitingRequest();
        }
    }

    /**
     * Cancels the first request waiting for a server, as PostgreSQL cancels a query blocked on a lock: ERROR
     * 57014, then ReadyForQuery for a simple Query or FunctionCall; for an extended-protocol request everything up
     * to Sync is skipped and the Sync answered, now or when it comes. Requests behind it keep waiting; with none,
     * the client leaves the queue. The client is between transactions (it waits only from IDLE), hence 'I'.
     */
    private void cancelWaitingRequest() {
        PendingRequests pending = session.pending();
        PendingRequests.Cancelled cancelled = pending.cancelFirst();
        if (cancelled == PendingRequests.Cancelled.NOTHING) {
            return;
        }
        // Out of the queue before the client hears of it: once it reads 57014 it is no longer waiting.
        if (pending.isEmpty() && services.pools().cancelWait(pool, session.lending())) {
            client.transition(ClientState.IDLE);
        }
        session.local().cancelled(cancelled);
        session.readWhileUnlinked();
    }
}
