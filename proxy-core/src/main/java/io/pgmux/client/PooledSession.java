package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.config.Timeouts;
import io.pgmux.pool.PoolClient;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.FrontendMessages;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerLink;
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;
import io.pgmux.session.UnsupportedRequestException;
import io.pgmux.stats.PoolStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logged-in client of a pool: its requests go to whichever server the pool lends it, and the server goes back
 * as its {@link ReleasePolicy} says. This is where a pooled request is forwarded. Messages go out as the framer
 * cut them; pgmux looks at their type byte, and reads the few whose names or SQL it must act on. Between
 * transactions some are answered here with no server ({@link ReleasePolicy#parseWithoutServer}). Confined to
 * the client's event loop, which a linked server shares.
 */
final class PooledSession implements ClientPhase, PoolClient, ServerLink {
    private static final Logger log = LoggerFactory.getLogger(PooledSession.class);

    private final ClientConnection client;
    private final Channel channel;
    private final ClientServices services;
    private final ServerPool pool;
    private final PoolStats stats;
    private final SessionParameters parameters;
    private final ReleasePolicy policy;
    /** Settings and pinning (in session mode, only RESETs of startup values). */
    private final SessionTracker session;
    private final PendingRequests pending = new PendingRequests();
    private final ClientTimeouts timeouts = new ClientTimeouts(System.nanoTime());
    private final RequestClock clock;
    private ServerConnection server;
    private final LocalAnswers local;
    /** The client sent Terminate: nothing after it is read, and it leaves once what came before is answered. */
    private boolean terminating;
    /** Bytes read from the client and forwarded to it since they were last added to the statistics. */
    private long receivedBytes;
    private long sentBytes;

    PooledSession(ClientConnection client, ClientServices services, ServerPool pool, SessionParameters parameters,
                  ReleasePolicy policy, SessionTracker session) {
        this.client = client;
        this.channel = client.channel();
        this.services = services;
        this.pool = pool;
        this.stats = pool.stats();
        this.parameters = parameters;
        this.policy = policy;
        this.session = session;
        this.clock = new RequestClock(stats, new SlowQueries(services, client, pool));
        this.local = new LocalAnswers(channel, policy);
    }

    @Override
    public boolean isBetweenTransactions() {
        ServerConnection linked = server;
        return pending.isEmpty() && (state() == ClientState.IDLE || state() == ClientState.ACTIVE && linked != null
                && linked.isQuiet() && linked.transactionStatus() == TransactionStatus.IDLE);
    }

    @Override
    public ClientInfo.Session describeSession() {
        return new ClientInfo.Session(timeouts.lastMessageNanos(), server, parameters.applicationName(),
                session.pinReason(), policy.preparedStatements());
    }

    /** Greets the client now if its pool knows what to greet with, else once a first server has logged in. */
    void start() {
        stats.clientLoggedIn();
        if (pool.welcomeParameters() != null) {
            client.transition(ClientState.IDLE);
            greet();
        } else {
            client.transition(ClientState.LOGIN_WAIT);
            channel.flush();
            waitForServer();
        }
    }

    /** ParameterStatus for each parameter, BackendKeyData, ReadyForQuery: the client may start. */
    private void greet() {
        client.loggedIn();
        parameters.greeting(pool.welcomeParameters()).forEach((name, value) ->
                channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise()));
        channel.write(client.cancelKey().encode(channel.alloc()), channel.voidPromise());
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        log.debug("client {} logged in", client.describe());
    }

    private ClientState state() {
        return client.state();
    }

    // ---- client messages ----------------------------------------------------------------------------------

    @Override
    public void frameReceived(ByteBuf frame) {
        long now = System.nanoTime();
        timeouts.messageReceived(now);
        receivedBytes += frame.readableBytes();
        if (terminating) {
            frame.release(); // PostgreSQL reads nothing after Terminate
            return;
        }
        byte tag = frame.getByte(frame.readerIndex());
        if (tag == FrontendTag.TERMINATE) {
            terminateReceived(frame);
            return;
        }
        checkRequest(frame);
        if (tag == FrontendTag.PARSE) {
            stats.countClientParse();
        } else if (tag == FrontendTag.BIND) {
            stats.countBind();
        }
        if (local.skipped(tag, frame)) {
            return;
        }
        if (state() == ClientState.ACTIVE && pending.isEmpty()) {
            forward(server, frame, server.isAtBoundary(), now);
            return;
        }
        if (state() == ClientState.IDLE && pending.isEmpty() && local.answered(tag, frame, this::inspected)) {
            return;
        }
        local.toServer();
        if (pending.add(frame)) {
            channel.config().setAutoRead(false);
        }
        if (state() == ClientState.IDLE) {
            waitForServer();
        }
    }

    /**
     * Sends a client message to its server. SQL that changes session state is noted so the state can follow the
     * client (or pin it); the policy translates statement names where it shares them.
     *
     * @param serverIdle whether the server will have nothing outstanding and no transaction open when the
     *     message reaches it
     */
    private void forward(ServerConnection target, ByteBuf frame, boolean serverIdle, long nowNanos) {
        byte tag = frame.getByte(frame.readerIndex());
        if (policy.skips(tag)) {
            frame.release();
            return;
        }
        if (policy.inspects(tag) && !inspected(frame)) {
            return;
        }
        clock.sent(nowNanos, serverIdle, tag == FrontendTag.QUERY || tag == FrontendTag.SYNC
                || tag == FrontendTag.FUNCTION_CALL);
        policy.send(target, frame, tag);
        if (tag == FrontendTag.QUERY && policy.followsSettings()) {
            session.forwarded(target, serverIdle, this::tellParameter);
        }
    }

    /**
     * Reads what a client message does to the session. Returns false, with the message released and the client
     * failed, when it needs pinning that the policy refuses, or is malformed.
     */
    private boolean inspected(ByteBuf frame) {
        try {
            session.inspect(frame);
            return true;
        } catch (UnsupportedRequestException e) {
            frame.release();
            client.fail(e.error());
        } catch (ProtocolException e) {
            frame.release();
            client.failed(e);
        }
        return false;
    }

    /**
     * Refuses a malformed message as it arrives, before pgmux reads names out of it or keeps it for a server: a
     * FATAL 08P01 for this client alone, whichever server it would have gone to.
     */
    private static void checkRequest(ByteBuf frame) {
        try {
            FrontendMessages.validate(frame);
        } catch (ProtocolException e) {
            frame.release();
            throw e;
        }
    }

    @Override
    public void readComplete() {
        ServerConnection linked = server;
        if (state() == ClientState.ACTIVE && linked != null) {
            linked.flush();
        }
        countBytes();
    }

    /** Adds the bytes of the last read bursts to the statistics: once per burst, never per message. */
    private void countBytes() {
        if ((receivedBytes | sentBytes) != 0) {
            stats.addBytes(receivedBytes, sentBytes);
            receivedBytes = 0;
            sentBytes = 0;
        }
    }

    // ---- termination -------------------------------------------------------------------------------------

    /**
     * Terminate: it takes its place behind what the client sent before it, as PostgreSQL reads it only after
     * running those; nothing after it is read.
     */
    private void terminateReceived(ByteBuf frame) {
        terminating = true;
        channel.config().setAutoRead(false);
        if (pending.isEmpty()) {
            frame.release();
            terminate();
        } else {
            pending.addTerminate(frame);
        }
    }

    /**
     * Acts on a Terminate whose turn has come: leave at once, in the middle of a COPY FROM STDIN as PostgreSQL
     * does, or once the requests before it have been answered.
     */
    private void terminate() {
        ServerConnection linked = server;
        if (state() == ClientState.ACTIVE && linked != null) {
            if (linked.isCopyIn()) {
                abandonCopy();
                return;
            }
            if (!linked.isQuiet()) {
                return; // serverReadyForQuery closes once the last answer is in
            }
        }
        client.close(null);
    }

    /**
     * A Terminate where the backend expects COPY data: PostgreSQL's two errors, then the client is closed and
     * the server's COPY failed and rolled back (see ServerCleanup).
     */
    private void abandonCopy() {
        channel.write(ErrorResponse.encode(channel.alloc(), PgError.error(SqlState.PROTOCOL_VIOLATION,
                "unexpected message type 0x58 during COPY from stdin")), channel.voidPromise());
        client.fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                "terminating connection because protocol synchronization was lost"));
    }

    // ---- waiting for a server -----------------------------------------------------------------------------

    private void waitForServer() {
        if (state() == ClientState.IDLE) {
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
    public void waitingLong(long waitedMillis) {
        if (state() != ClientState.WAITING) {
            return;
        }
        channel.writeAndFlush(ErrorResponse.encodeNotice(channel.alloc(), new PgError(PgError.NOTICE, "00000",
                "pgmux: waiting for a server connection of " + pool.key() + " for " + waitedMillis
                        + " ms; all of its connections are busy", null, null)), channel.voidPromise());
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
        if (state() == ClientState.CLOSED) {
            services.pools().release(assigned);
            return;
        }
        if (!assigned.isUsable()) {
            // It died on its way here; nothing was sent to it, so simply queue again.
            services.pools().acquire(pool, this);
            return;
        }
        boolean login = state() == ClientState.LOGIN_WAIT;
        server = assigned;
        assigned.link(this);
        client.transition(ClientState.ACTIVE);
        if (login) {
            greet();
        }
        // Idle, and the alignment leaves it idle: the first request starts with no transaction open.
        boolean idle = assigned.isAtBoundary();
        String sql = parameters.alignmentSql(assigned);
        if (sql != null) {
            assigned.sendInternalQuery(sql, error -> aligned(assigned, error));
        }
        long now = System.nanoTime();
        ByteBuf each;
        boolean terminated = false;
        while ((each = pending.poll()) != null) {
            if (each.getByte(each.readerIndex()) == FrontendTag.TERMINATE) {
                each.release();
                terminated = true;
                break;
            }
            forward(assigned, each, idle, now);
            idle = false;
        }
        assigned.flush();
        if (terminated) {
            terminate();
            return;
        }
        channel.config().setAutoRead(assigned.isWritable());
        if (assigned.isAtBoundary()) {
            serverAtBoundary();
        }
    }

    private void aligned(ServerConnection assigned, PgError error) {
        if (error == null) {
            parameters.recordAligned(assigned);
            return;
        }
        // The client asked for a setting the database rejects; a direct connection would have failed at login.
        log.info("client {}: could not apply its settings: {}", client.describe(), error);
        assigned.unlink();
        server = null;
        assigned.close();
        client.fail(error.withSeverity(PgError.FATAL));
    }

    @Override
    public void acquireFailed(PgError error) {
        if (state() == ClientState.WAITING || state() == ClientState.LOGIN_WAIT) {
            client.fail(error.withSeverity(PgError.FATAL));
        }
    }

    // ---- ServerLink: the linked server's traffic ------------------------------------------------------------

    @Override
    public void serverMessage(ByteBuf frame) {
        sentBytes += frame.readableBytes();
        channel.write(frame, channel.voidPromise());
    }

    @Override
    public void serverParameterChanged(String name, String value, ByteBuf frame) {
        String own = session.clientValue(server, name, value);
        if (!parameters.reported(name, own)) {
            frame.release();
        } else if (own.equals(value)) {
            sentBytes += frame.readableBytes();
            channel.write(frame, channel.voidPromise());
        } else {
            frame.release();
            tellParameter(name, own);
        }
    }

    /** A ParameterStatus of pgmux's own: the client's value where the server's differs. */
    private void tellParameter(String name, String value) {
        channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise());
    }

    @Override
    public void serverReadComplete() {
        channel.flush();
        ServerConnection linked = server;
        if (linked != null && !channel.isWritable()) {
            linked.setAutoRead(false);
        }
        countBytes();
    }

    @Override
    public void serverReadyForQuery(TransactionStatus status, boolean failed) {
        long now = System.nanoTime();
        timeouts.readyForQuery(now);
        boolean quiet = server.isQuiet();
        clock.readyForQuery(now, status, quiet);
        if (terminating && pending.isEmpty() && quiet) {
            channel.flush();
            client.close(null);
        }
    }

    @Override
    public void serverAtBoundary() {
        if (!pending.isEmpty() || state() != ClientState.ACTIVE) {
            return;
        }
        if (terminating) {
            // Its Terminate came while pgmux's own readback was outstanding: all it sent is answered now.
            channel.flush();
            client.close(null);
            return;
        }
        if (session.atBoundary(server, this::tellParameter) || !policy.releasesAtBoundary()
                || session.pinReason() != null) {
            return;
        }
        ServerConnection released = server;
        released.unlink();
        server = null;
        clock.serverGone();
        client.transition(ClientState.IDLE);
        // The server's read-complete will no longer reach this client: flush its answer now.
        channel.flush();
        channel.config().setAutoRead(true);
        if (session.takeUnknown()) {
            ServerCleanup.resetSettings(released, services);
        } else {
            services.pools().release(released);
        }
    }

    @Override
    public void serverCopyInStarted() {
        if (terminating && pending.isEmpty()) {
            abandonCopy();
        }
    }

    @Override
    public void serverLost(PgError error) {
        server = null;
        client.fail(error == null ? null : error.withSeverity(PgError.FATAL));
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
        if (state() == ClientState.ACTIVE) {
            channel.config().setAutoRead(writable);
        }
    }

    @Override
    public void writabilityChanged() {
        ServerConnection linked = server;
        if (linked != null && state() == ClientState.ACTIVE) {
            linked.setAutoRead(channel.isWritable());
        }
    }

    // ---- timeouts and cancel -------------------------------------------------------------------------------

    @Override
    public void checkTimeouts(long nowNanos, Timeouts configured) {
        ServerConnection linked = state() == ClientState.ACTIVE ? server : null;
        switch (timeouts.check(nowNanos, configured, state() == ClientState.IDLE, ClientTimeouts.ServerSide.of(linked))) {
            case CLIENT_IDLE:
                client.fail(ClientTimeouts.clientIdle(configured));
                break;
            case IDLE_IN_TRANSACTION:
                client.fail(ClientTimeouts.idleInTransaction(configured));
                break;
            case CANCEL_QUERY:
                // The server answers the cancelled query with 57014 query_canceled, which the client receives.
                log.info("client {}: cancelling a query running longer than query_timeout", client.describe());
                stats.queryTimedOut();
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
    @Override
    public void cancelRequested() {
        ServerConnection linked = server;
        if (state() == ClientState.ACTIVE && linked != null && !linked.isQuiet()) {
            stats.cancelForwarded();
            services.pools().cancel(linked);
        } else if (state() == ClientState.WAITING) {
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
        PendingRequests.Cancelled cancelled = pending.cancelFirst();
        if (cancelled == PendingRequests.Cancelled.NOTHING) {
            return;
        }
        // Out of the queue before the client hears of it: once it reads 57014 it is no longer waiting.
        if (pending.isEmpty() && services.pools().cancelWait(pool, this)) {
            client.transition(ClientState.IDLE);
        }
        local.cancelled(cancelled);
        if (!terminating && !pending.overLimit()) {
            channel.config().setAutoRead(true);
        }
    }

    // ---- leaving -----------------------------------------------------------------------------------------

    @Override
    public void protocolViolation() {
        stats.protocolError();
    }

    /** The server, if linked, goes back clean or is closed; a place in the queue is given up. */
    @Override
    public void left(ClientState was) {
        pending.releaseAll();
        if (was == ClientState.WAITING || was == ClientState.LOGIN_WAIT) {
            services.pools().cancelWait(pool, this);
        }
        ServerConnection linked = server;
        server = null;
        clock.serverGone();
        if (linked != null) {
            linked.unlink();
            ServerCleanup.afterClientLeft(linked, policy.resetQueryOnLeave(session, services.config()), services);
        }
        countBytes();
        stats.clientLeft();
    }
}
