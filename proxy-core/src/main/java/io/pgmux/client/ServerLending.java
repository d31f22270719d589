package io.pgmux.client;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.codec.AutoRead;
import io.pgmux.pool.PoolClient;
import io.pgmux.pool.ServerPool;
import io.pgmux.pool.WaitReason;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.server.ServerConnection;
import io.pgmux.session.SessionParameters;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooled session as its pool sees it while it waits for a server: its place in the pool's queue, the notice
 * after query_wait_notify, and the moment a server is lent, when the session's settings are aligned on it and the
 * requests that waited go out. Confined to the client's event loop.
 */
final class ServerLending extends PoolClient {
    private static final Logger log = LoggerFactory.getLogger(ServerLending.class);

    private final PooledSession pooled;
    private final ClientConnection client;
    private final Channel channel;
    private final ClientServices services;
    private final ServerPool pool;
    private final SessionParameters parameters;

    /** What a server lent now is for. */
    private enum Linking {
        /** The requests kept while the client waited (possibly none: then the server goes back at once). */
        PENDING_REQUESTS,
        /** A request the framer holds in place, sent once the server is linked ({@link #serverForRequestInPlace}). */
        REQUEST_IN_PLACE
    }

    private Linking linkingFor = Linking.PENDING_REQUESTS;

    ServerLending(PooledSession pooled, ClientConnection client, ClientServices services, ServerPool pool,
                  SessionParameters parameters) {
        this.pooled = pooled;
        this.client = client;
        this.channel = client.channel();
        this.services = services;
        this.pool = pool;
        this.parameters = parameters;
    }

    /**
     * Asks for a server for a request the framer holds in place, not among the pending requests: returns whether
     * one was linked at once, the request then to go to it inside the client's run. Until this returns, a server
     * lent has nothing sent to it yet and must not go back at its boundary. Otherwise the client waits as for any
     * request, and the request comes whole to the pending ones.
     */
    boolean serverForRequestInPlace() {
        linkingFor = Linking.REQUEST_IN_PLACE;
        try {
            waitForServer();
        } finally {
            linkingFor = Linking.PENDING_REQUESTS;
        }
        return client.state() == ClientState.ACTIVE && pooled.server() != null;
    }

    void waitForServer() {
        if (client.state() == ClientState.IDLE) {
            client.transition(ClientState.WAITING);
        }
        services.pools().acquire(pool, this);
        // query_wait_notify and query_wait_timeout are the pool manager's to watch (PoolManager#checkWaits):
        // no timer per wait, though nearly every request waits when clients outnumber servers.
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Tells a client that has waited query_wait_notify why its query has not started; it keeps waiting. */
    @Override
    public void waitingLong(long waitedMillis, WaitReason reason, PgError notice) {
        if (client.state() != ClientState.WAITING) {
            return;
        }
        channel.writeAndFlush(ErrorResponse.encodeNotice(channel.alloc(), notice), channel.voidPromise());
    }

    @Override
    public void serverAssigned(ServerConnection assigned) {
        // Runs on the pool's path (often inside another connection's read): nothing thrown here may reach it.
        try {
            linkTo(assigned);
        } catch (RuntimeException e) {
            client.failed(e);
        }
    }

    private void linkTo(ServerConnection assigned) {
        if (client.state() == ClientState.CLOSED) {
            services.pools().release(assigned);
            return;
        }
        if (!assigned.isUsable()) {
            // It died on its way here; nothing was sent to it, so simply queue again.
            services.pools().acquire(pool, this);
            return;
        }
        pooled.linked(assigned);
        if (client.state() == ClientState.LOGIN_WAIT) {
            greetOn(assigned);
            return;
        }
        client.transition(ClientState.ACTIVE);
        // Idle, and the alignment leaves it idle: the first request starts with no transaction open.
        boolean idle = assigned.isAtBoundary();
        String sql = parameters.alignmentSql(assigned);
        if (sql != null) {
            assigned.sendInternalQuery(sql, error -> aligned(assigned, error));
        }
        sendPending(assigned, idle);
    }

    /**
     * The first server of a client still logging in. PostgreSQL applies a client's startup settings before its
     * first ReadyForQuery, and one it rejects fails the login (a FATAL after AuthenticationOk): so where the
     * client's settings differ from the server's, the greeting waits until they are applied there
     * ({@link #loginAligned}). The client stays LOGIN_WAIT meanwhile: what it sends waits among the pending
     * requests.
     */
    private void greetOn(ServerConnection assigned) {
        // The greeting first: it makes the pool's welcome values the client's where it asked for none, and the
        // server must be aligned to those too (it may carry another client's).
        Map<String, String> greeting = pooled.greeting();
        String sql = parameters.alignmentSql(assigned);
        if (sql != null) {
            assigned.sendInternalQuery(sql, error -> loginAligned(assigned, greeting, error));
            assigned.flush();
            return;
        }
        // The server has the client's values already: the database took them.
        loggedIn(greeting);
        sendPending(assigned, assigned.isAtBoundary());
    }

    /**
     * The database took the client's startup settings: the login succeeded, and the client is greeted with the values
     * the database reported for them where they differ from what the client sent, as PostgreSQL greets it.
     */
    private void loggedIn(Map<String, String> greeting) {
        Map<String, String> reported = parameters.toldOtherwise(greeting);
        greeting.putAll(reported);
        parameters.startupReportedAs(
                services.acceptedSettings().accept(pool.key(), parameters.startupSettings(), reported));
        client.transition(ClientState.ACTIVE);
        pooled.greet(greeting);
    }

    /**
     * {@link #forwardPending}; then, for the kept requests (not a request held in place, which is sent after this),
     * a server still at a boundary (nothing was sent that it will answer) is reported at its boundary now, since no
     * ReadyForQuery will do it: the server goes back at once.
     */
    private void sendPending(ServerConnection assigned, boolean idle) {
        if (forwardPending(assigned, idle) && assigned.isAtBoundary() && linkingFor == Linking.PENDING_REQUESTS) {
            pooled.answers().serverAtBoundary();
        }
    }

    /**
     * Sends the requests that waited for the server, and flushes. Returns false when a Terminate came among them: its
     * turn has come ({@link PooledSession#terminate}), and nothing else is sent.
     *
     * @param idle whether the server will be idle with no transaction open when the first of them reaches it
     */
    private boolean forwardPending(ServerConnection assigned, boolean idle) {
        boolean goOn = pooled.sendPending(assigned, idle);
        if (goOn) {
            AutoRead.set(channel, assigned.isWritable());
        }
        return goOn;
    }

    /**
     * The end of a login's alignment ({@link #greetOn}). Applied: the client is greeted and what it sent meanwhile
     * goes out; the server's boundary after pgmux's own query is reported by the server as for any
     * ({@link ServerAnswers#serverAtBoundary}). Rejected: the error reaches the client as a FATAL before any
     * ReadyForQuery, i.e. its login fails as a direct connection's would. The server stays healthy and goes back
     * to the pool with the client's leaving ({@link PooledSession#left}, {@link ServerCleanup#afterClientLeft}):
     * the alignment is one simple Query, one implicit transaction, which the error rolled back whole, the
     * set_config calls before the failing one and the SET LOCAL included; the backend is idle with the settings
     * pgmux knows it has, and nothing of the client's reached it.
     */
    private void loginAligned(ServerConnection assigned, Map<String, String> greeting, PgError error) {
        if (client.state() != ClientState.LOGIN_WAIT || pooled.server() != assigned) {
            return; // the client left meanwhile; the server is its cleanup's
        }
        if (error != null) {
            log.info("client {}: login failed, the database rejects its settings: {}", client.describe(), error);
            client.fail(startupSettingRefused(error));
            return;
        }
        parameters.recordAligned(assigned);
        parameters.tookStartupValues(assigned);
        loggedIn(greeting);
        forwardPending(assigned, true);
    }

    /**
     * The database's error for a startup setting, as the login's FATAL. A setting PostgreSQL takes only at connection
     * start (55P02: {@code ignore_system_indexes}, {@code log_connections} ...) works on a direct connection and
     * never through a pool, whose servers started before the client came: the hint says where else to put it.
     */
    private static PgError startupSettingRefused(PgError error) {
        PgError fatal = error.withSeverity(PgError.FATAL);
        if (SqlState.CANT_CHANGE_RUNTIME_PARAM.equals(error.sqlState()) && error.hint() == null) {
            return fatal.withHint("pgmux gives a client's startup settings to pooled server connections that have "
                    + "started already; set this one for the role or the database (ALTER ROLE ... SET, ALTER DATABASE "
                    + "... SET), or leave it out of the connection's options.");
        }
        return fatal;
    }

    private void aligned(ServerConnection assigned, PgError error) {
        if (error == null) {
            parameters.recordAligned(assigned);
            return;
        }
        // Settings a server took before it rejects on this one (a role dropped since, say). The client's requests
        // went out behind the alignment, so the server is mid-request for a client that can no longer be served.
        log.info("client {}: could not apply its settings: {}", client.describe(), error);
        assigned.unlink();
        pooled.serverGone();
        assigned.close();
        client.fail(error.withSeverity(PgError.FATAL));
    }

    @Override
    public void acquireFailed(PgError error) {
        if (client.state() == ClientState.WAITING || client.state() == ClientState.LOGIN_WAIT) {
            client.fail(error.withSeverity(PgError.FATAL));
        }
    }
}
