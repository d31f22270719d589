package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgmux.auth.AuthenticationException;
import io.pgmux.codec.ExpectedMessages;
import io.pgmux.codec.MessageFramer;
import io.pgmux.config.PoolMode;
import io.pgmux.pool.PoolClient;
import io.pgmux.pool.ServerPool;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.Authentication;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.NegotiateProtocolVersion;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.CancelRequest;
import io.pgmux.protocol.frontend.FrontendMessages;
import io.pgmux.protocol.frontend.Parse;
import io.pgmux.protocol.frontend.StartupMessage;
import io.pgmux.protocol.frontend.StartupPacket;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerLink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application connection. Confined to its channel's event loop; a server linked to it runs on the same
 * loop. Messages are forwarded as the framer cut them; pgmux looks only at their type byte, plus the statement
 * name of a Parse.
 */
public final class ClientConnection implements PoolClient, ServerLink {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /**
     * What a client may send ahead while it waits for a server. Reading goes on while it waits (pausing and
     * resuming would cost two epoll_ctl calls per wait, and nearly every request waits when clients outnumber
     * servers); only a client that keeps sending is paused, so its backlog stays bounded.
     */
    private static final int MAX_PENDING_BYTES = 256 * 1024;

    private final Channel channel;
    private final ClientServices services;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(2);
    /** The bytes in {@link #pending}: past {@link #MAX_PENDING_BYTES}, pgmux stops reading from the client. */
    private int pendingBytes;

    private volatile ClientState state = ClientState.STARTUP;
    private volatile ServerConnection server;
    private String user;
    private String database;
    private PoolMode poolMode;
    private ServerPool pool;
    private SessionParameters parameters;
    private PasswordExchange passwordExchange;
    /** Named prepared statements in transaction mode; null in session mode, where the server is the client's. */
    private NamedStatements statements;
    /** Settings and pinning (in session mode, only RESETs of startup values). */
    private SessionTracker session;
    private BackendKeyData cancelKey;
    private final Admission admission = new Admission();
    private ScheduledFuture<?> timer;
    /** When the client last sent a message, and when its server last said ReadyForQuery: for the timeouts. */
    private long lastMessageNanos = System.nanoTime();
    private long lastReadyNanos = lastMessageNanos;
    private boolean cancelSentForRequest;
    /** What pgmux answered of the client's current extended-protocol batch itself, with no server. */
    private LocalBatch localBatch = LocalBatch.NONE;
    /** The client sent Terminate: nothing after it is read, and it leaves once what came before is answered. */
    private boolean terminating;

    ClientConnection(Channel channel, ClientServices services) {
        this.channel = channel;
        this.services = services;
    }

    public ClientState state() {
        return state;
    }

    /** The TLS version and cipher of this connection (SHOW CLIENTS' tls column); empty without TLS. */
    public java.util.Optional<io.pgmux.tls.TlsSessionInfo> tls() {
        return io.pgmux.tls.TlsSessionInfo.of(channel);
    }

    BackendKeyData cancelKey() {
        return cancelKey;
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** The one place the client's state changes. */
    private void transition(ClientState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("client " + describe() + ": illegal transition " + state + " -> " + next);
        }
        state = next;
    }

    // ---- startup phase ----------------------------------------------------------------------------------------

    void connected() {
        long loginTimeout = services.config().timeouts().clientLoginTimeout().toMillis();
        if (loginTimeout > 0) {
            timer = channel.eventLoop().schedule(this::loginTimedOut, loginTimeout, TimeUnit.MILLISECONDS);
        }
    }

    private void loginTimedOut() {
        if (state == ClientState.STARTUP || state == ClientState.AUTHENTICATING) {
            fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "pgmux: client did not finish logging in within "
                    + "client_login_timeout"));
        }
    }

    void startupPacket(StartupPacket packet) {
        if (state != ClientState.STARTUP) {
            throw new ProtocolException("startup packet after the startup phase");
        }
        // SSLRequest and GSSENCRequest never get here: the EncryptionNegotiator in front answers them.
        if (packet instanceof CancelRequest) {
            CancelRequest cancel = (CancelRequest) packet;
            ClientConnection target = services.cancels().find(cancel.processId(), cancel.secretKey());
            if (target != null) {
                target.cancelRequested();
            }
            channel.close();
        } else {
            startup((StartupMessage) packet);
        }
    }

    private void startup(StartupMessage message) {
        negotiateVersion(message);
        user = message.parameter("user");
        if (user == null || user.isEmpty()) {
            fail(PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet"));
            return;
        }
        database = message.parameter("database");
        if (database == null || database.isEmpty()) {
            database = user;
        }
        String replication = message.parameter("replication");
        if (replication != null && !List.of("false", "off", "no", "0").contains(replication.toLowerCase())) {
            fail(PgError.fatal(SqlState.FEATURE_NOT_SUPPORTED, "pgmux does not pool replication connections")
                    .withHint("Connect replication clients to the database directly."));
            return;
        }
        // Whether the user and the database exist is checked only after authentication, as PostgreSQL does, so
        // that neither can be probed without a password; this limit is the same for everyone.
        String refusedBy = services.admitClient(admission);
        if (refusedBy != null) {
            refuseAdmission(refusedBy);
            return;
        }
        parameters = SessionParameters.fromStartup(message.parameters());
        LoginAuthorization.Outcome outcome = services.logins().decide(channel, database, user);
        if (outcome instanceof LoginAuthorization.Refused) {
            fail(((LoginAuthorization.Refused) outcome).error());
            return;
        }
        passwordExchange = ((LoginAuthorization.Exchange) outcome).exchange();
        if (passwordExchange.needsPassword()) {
            transition(ClientState.AUTHENTICATING);
            expectFromClient(passwordExchange.responses());
            channel.writeAndFlush(passwordExchange.firstRequest(channel.alloc()), channel.voidPromise());
        } else {
            authenticated();
        }
    }

    /**
     * Answers a request for protocol 3.x (x > 0) or for protocol options with what pgmux speaks, 3.0, as
     * PostgreSQL does (NegotiateProtocolVersion with PG_PROTOCOL_LATEST).
     */
    private void negotiateVersion(StartupMessage message) {
        List<String> options = new ArrayList<>();
        for (String each : message.parameters().keySet()) {
            if (each.startsWith("_pq_.")) {
                options.add(each);
            }
        }
        if (message.minorVersion() > 0 || !options.isEmpty()) {
            channel.write(new NegotiateProtocolVersion(StartupMessage.PROTOCOL_3_0, options).encode(channel.alloc()),
                    channel.voidPromise());
        }
    }

    /** Tells the framer which messages the client may send from now on; others fail at their type byte. */
    private void expectFromClient(ExpectedMessages next) {
        channel.pipeline().get(MessageFramer.class).expect(next);
    }

    private void passwordMessage(ByteBuf frame) {
        try {
            if (frame.getByte(frame.readerIndex()) != FrontendTag.PASSWORD) {
                throw new ProtocolException("expected a password message, got '"
                        + (char) frame.getByte(frame.readerIndex()) + "'");
            }
            ByteBuf next = passwordExchange.step(frame.skipBytes(5), channel.alloc());
            if (next != null) {
                channel.write(next, channel.voidPromise());
            }
            if (passwordExchange.isComplete()) {
                authenticated();
            } else {
                channel.flush();
            }
        } catch (AuthenticationException e) {
            services.authFailed(database, user);
            fail(PgError.fatal(SqlState.INVALID_PASSWORD, e.getMessage()));
        } finally {
            frame.release();
        }
    }

    private void authenticated() {
        passwordExchange = null;
        expectFromClient(ExpectedMessages.FRONTEND);
        channel.write(Authentication.ok(channel.alloc()), channel.voidPromise());
        if (!admitToSession()) {
            return;
        }
        cancelKey = services.cancels().register(this);
        pool = services.pools().pool(database, user);
        pool.stats().clientLoggedIn();
        if (pool.welcomeParameters() != null) {
            transition(ClientState.IDLE);
            greet();
        } else {
            // Nothing to greet with until a server of this pool has logged in: borrow one.
            transition(ClientState.LOGIN_WAIT);
            channel.flush();
            waitForServer();
        }
    }

    /**
     * What PostgreSQL checks once a client has authenticated (InitPostgres): that its role and database exist
     * and that a connection limit has room; then the session is set up for its pool mode.
     *
     * @return false when the client was refused (and is being closed)
     */
    private boolean admitToSession() {
        if (services.config().user(user).isEmpty()) {
            // Only with auth_type trust: every other method has failed the exchange of an unknown user.
            fail(PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "role \"" + user + "\" does not exist"));
            return false;
        }
        if (services.config().database(database).isEmpty()) {
            fail(PgError.fatal(SqlState.INVALID_CATALOG_NAME, "database \"" + database + "\" does not exist")
                    .withDetail("pgmux serves only the databases in its configuration.")
                    .withHint("Connect to one of: " + String.join(", ", services.config().databases().keySet())
                            + "; or add it under databases: in the pgmux configuration."));
            return false;
        }
        String refusedBy = services.admitToTenant(admission, user);
        if (refusedBy != null) {
            refuseAdmission(refusedBy);
            return false;
        }
        poolMode = services.config().poolModeFor(database, user);
        if (poolMode == PoolMode.TRANSACTION) {
            statements = new NamedStatements(channel.alloc(), services.pools().pool(database, user));
        }
        session = new SessionTracker(parameters, services.config().pinningFor(database, user), this::describe,
                poolMode != PoolMode.TRANSACTION);
        return true;
    }

    private void refuseAdmission(String refusedBy) {
        fail(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "pgmux: no more connections allowed (" + refusedBy + ")")
                .withHint("Close idle connections or raise the limit in the pgmux configuration."));
    }

    /** ParameterStatus for each parameter, BackendKeyData, ReadyForQuery: the client may start. */
    private void greet() {
        cancelTimer();
        parameters.greeting(pool.welcomeParameters()).forEach((name, value) ->
                channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise()));
        channel.write(cancelKey.encode(channel.alloc()), channel.voidPromise());
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        log.debug("client {} logged in", describe());
    }

    // ---- steady state: client messages ----------------------------------------------------------------------

    void frameReceived(ByteBuf frame) {
        lastMessageNanos = System.nanoTime();
        cancelSentForRequest = false;
        switch (state) {
            case AUTHENTICATING:
                passwordMessage(frame);
                return;
            case CLOSED:
                frame.release();
                return;
            case STARTUP:
                frame.release();
                throw new ProtocolException("message before StartupMessage");
            default:
                break;
        }
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
        if (localBatch == LocalBatch.FAILED) {
            skipToSync(tag, frame);
            return;
        }
        if (state == ClientState.ACTIVE && pending.isEmpty()) {
            forward(server, frame, server.isAtBoundary());
            return;
        }
        if (state == ClientState.IDLE && pending.isEmpty() && answerWithoutServer(tag, frame)) {
            return;
        }
        localBatch = LocalBatch.NONE;
        pending.add(frame);
        pendingBytes += frame.readableBytes();
        if (pendingBytes > MAX_PENDING_BYTES) {
            channel.config().setAutoRead(false);
        }
        if (state == ClientState.IDLE) {
            waitForServer();
        }
    }

    /**
     * Between transactions, a Parse of an already known statement and the Sync after it need no server: see
     * {@link NamedStatements#parseWithoutServer}. Anything else goes to a server as usual.
     */
    private boolean answerWithoutServer(byte tag, ByteBuf frame) {
        if (statements == null) {
            return false;
        }
        if (tag == FrontendTag.PARSE && Parse.hasStatementName(frame)) {
            // It may be answered here and never be forwarded: what it does to the session counts now.
            if (!inspected(frame)) {
                return true;
            }
            if (statements.parseWithoutServer(frame, channel)) {
                localBatch = LocalBatch.ANSWERED;
                return true;
            }
        }
        if (tag == FrontendTag.SYNC && localBatch == LocalBatch.ANSWERED) {
            localBatch = LocalBatch.NONE;
            frame.release();
            channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
            return true;
        }
        return false;
    }

    /** After pgmux failed a message of the batch: everything up to Sync is ignored, the Sync answered. */
    private void skipToSync(byte tag, ByteBuf frame) {
        frame.release();
        if (tag == FrontendTag.SYNC) {
            localBatch = LocalBatch.NONE;
            channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        }
    }

    /**
     * Sends a client message to its server. In transaction mode statement names are translated, and SQL that
     * changes session state is noted so the state can follow the client (or pin it).
     *
     * @param serverIdle whether the server will have nothing outstanding and no transaction open when the
     *     message reaches it
     */
    private void forward(ServerConnection target, ByteBuf frame, boolean serverIdle) {
        byte tag = frame.getByte(frame.readerIndex());
        if (statements == null) {
            if ((tag == FrontendTag.QUERY || tag == FrontendTag.PARSE) && !inspected(frame)) {
                return;
            }
            target.sendFromClient(frame);
            return;
        }
        if (statements.skipsUntilSync(tag)) {
            frame.release();
            return;
        }
        if ((tag == FrontendTag.QUERY || tag == FrontendTag.PARSE || tag == FrontendTag.BIND
                || tag == FrontendTag.FUNCTION_CALL) && !inspected(frame)) {
            return;
        }
        statements.send(target, frame);
        if (tag == FrontendTag.QUERY) {
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
            fail(e.error());
        } catch (ProtocolException e) {
            frame.release();
            log.info("client {}: protocol violation: {}", describe(), e.getMessage());
            fail(e.error("invalid frontend message: "));
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
            pending.add(frame);
        }
    }

    /**
     * Acts on a Terminate whose turn has come: leave at once, in the middle of a COPY FROM STDIN as PostgreSQL
     * does, or once the requests before it have been answered.
     */
    private void terminate() {
        ServerConnection linked = server;
        if (state == ClientState.ACTIVE && linked != null) {
            if (linked.isCopyIn()) {
                abandonCopy();
                return;
            }
            if (!linked.isQuiet()) {
                return; // serverReadyForQuery closes once the last answer is in
            }
        }
        close(null);
    }

    /**
     * A Terminate where the backend expects COPY data: PostgreSQL's two errors, then the client is closed and
     * the server's COPY failed and rolled back (see ServerCleanup).
     */
    private void abandonCopy() {
        channel.write(ErrorResponse.encode(channel.alloc(), PgError.error(SqlState.PROTOCOL_VIOLATION,
                "unexpected message type 0x58 during COPY from stdin")), channel.voidPromise());
        fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "terminating connection because protocol synchronization was lost"));
    }

    void readComplete() {
        ServerConnection linked = server;
        if (state == ClientState.ACTIVE && linked != null) {
            linked.flush();
        }
    }

    // ---- waiting for a server -------------------------------------------------------------------------------

    private void waitForServer() {
        if (state == ClientState.IDLE) {
            transition(ClientState.WAITING);
        }
        services.pools().acquire(pool, this);
        // query_wait_notify and query_wait_timeout are the pool manager's to watch (PoolManager#checkWaits):
        // no timer per wait, though nearly every request waits when clients outnumber servers.
    }

    /** Tells a client that has waited query_wait_notify why its query has not started; it keeps waiting. */
    @Override
    public void waitingLong(long waitedMillis) {
        if (state != ClientState.WAITING) {
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
            failed(e);
        }
    }

    private void linkTo(ServerConnection assigned) {
        if (state == ClientState.CLOSED) {
            services.pools().release(assigned);
            return;
        }
        if (!assigned.isUsable()) {
            // It died on its way here; nothing was sent to it, so simply queue again.
            services.pools().acquire(pool, this);
            return;
        }
        cancelTimer();
        boolean login = state == ClientState.LOGIN_WAIT;
        server = assigned;
        assigned.link(this);
        transition(ClientState.ACTIVE);
        if (login) {
            greet();
        }
        // Idle, and the alignment leaves it idle: the first request starts with no transaction open.
        boolean idle = assigned.isAtBoundary();
        String sql = parameters.alignmentSql(assigned);
        if (sql != null) {
            assigned.sendInternalQuery(sql, error -> aligned(assigned, error));
        }
        ByteBuf each;
        boolean terminated = false;
        while ((each = pending.poll()) != null) {
            if (each.getByte(each.readerIndex()) == FrontendTag.TERMINATE) {
                each.release();
                terminated = true;
                break;
            }
            forward(assigned, each, idle);
            idle = false;
        }
        pendingBytes = 0;
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
        log.info("client {}: could not apply its settings: {}", describe(), error);
        assigned.unlink();
        server = null;
        assigned.close();
        fail(error.withSeverity(PgError.FATAL));
    }

    @Override
    public void acquireFailed(PgError error) {
        if (state == ClientState.WAITING || state == ClientState.LOGIN_WAIT) {
            fail(error.withSeverity(PgError.FATAL));
        }
    }

    // ---- ServerLink: the linked server's traffic -------------------------------------------------------------

    @Override
    public void serverMessage(ByteBuf frame) {
        channel.write(frame, channel.voidPromise());
    }

    @Override
    public void serverParameterChanged(String name, String value, ByteBuf frame) {
        String own = session.clientValue(server, name, value);
        if (!parameters.reported(name, own)) {
            frame.release();
        } else if (own.equals(value)) {
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
    }

    @Override
    public void serverReadyForQuery(TransactionStatus status, boolean failed) {
        lastReadyNanos = System.nanoTime();
        if (terminating && pending.isEmpty() && server.isQuiet()) {
            channel.flush();
            close(null);
        }
    }

    @Override
    public void serverAtBoundary() {
        if (!pending.isEmpty() || state != ClientState.ACTIVE) {
            return;
        }
        if (terminating) {
            // Its Terminate came while pgmux's own readback was outstanding: all it sent is answered now.
            channel.flush();
            close(null);
            return;
        }
        if (session.atBoundary(server, this::tellParameter) || poolMode != PoolMode.TRANSACTION
                || session.pinReason() != null) {
            return;
        }
        ServerConnection released = server;
        released.unlink();
        server = null;
        transition(ClientState.IDLE);
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
        fail(error == null ? null : error.withSeverity(PgError.FATAL));
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
        if (state == ClientState.ACTIVE) {
            channel.config().setAutoRead(writable);
        }
    }

    void writabilityChanged() {
        ServerConnection linked = server;
        if (linked != null && state == ClientState.ACTIVE) {
            linked.setAutoRead(channel.isWritable());
        }
    }

    // ---- timeouts: checked once a second on the client's own loop -----------------------------------------

    /** client_idle_timeout, idle_transaction_timeout and query_timeout. */
    void checkTimeouts(long nowNanos, io.pgmux.config.Timeouts timeouts) {
        long idleFor = nowNanos - Math.max(lastMessageNanos, lastReadyNanos);
        long clientIdle = timeouts.clientIdleTimeout().toNanos();
        if (state == ClientState.IDLE && clientIdle > 0 && idleFor > clientIdle) {
            fail(PgError.fatal("57P05", "pgmux: closing the connection after client_idle_timeout ("
                    + timeouts.clientIdleTimeout().toSeconds() + " s) without activity"));
            return;
        }
        ServerConnection linked = server;
        if (state != ClientState.ACTIVE || linked == null) {
            return;
        }
        long idleTransaction = timeouts.idleTransactionTimeout().toNanos();
        if (idleTransaction > 0 && linked.isQuiet() && linked.transactionStatus() != TransactionStatus.IDLE
                && idleFor > idleTransaction) {
            fail(PgError.fatal("25P03", "pgmux: closing the connection: idle in transaction longer than "
                    + "idle_transaction_timeout (" + timeouts.idleTransactionTimeout().toSeconds() + " s)"));
            return;
        }
        long queryTimeout = timeouts.queryTimeout().toNanos();
        if (queryTimeout > 0 && !linked.isQuiet() && cancelSentForRequest
                && nowNanos - lastMessageNanos > 2 * queryTimeout) {
            // The cancel went out a query_timeout ago and the server has not answered it either: the server or
            // the network to it is gone without a word (a black hole; no RST, no keepalive for hours). Give the
            // client its error now; leaving closes the server, which cannot be trusted any more (PgBouncer
            // disconnects at query_timeout itself).
            log.warn("client {}: the server did not answer the cancel of a query running longer than query_timeout;"
                    + " closing the client and the server", describe());
            fail(PgError.fatal(SqlState.QUERY_CANCELED, "pgmux: the query ran longer than query_timeout ("
                    + timeouts.queryTimeout().toMillis() + " ms) and the server did not answer its cancel within"
                    + " query_timeout again; the connection is closed"));
            return;
        }
        if (queryTimeout > 0 && !linked.isQuiet() && !cancelSentForRequest
                && nowNanos - lastMessageNanos > queryTimeout) {
            // The server answers the cancelled query with 57014 query_canceled, which the client receives.
            cancelSentForRequest = true;
            log.info("client {}: cancelling a query running longer than query_timeout", describe());
            services.pools().cancel(linked);
        }
    }

    // ---- cancel --------------------------------------------------------------------------------------------

    /**
     * A CancelRequest quoted this client's key: forward it to the server running its request, or cancel the
     * request still waiting for a server. A client with nothing running is left alone, as PostgreSQL does.
     */
    void cancelRequested() {
        channel.eventLoop().execute(() -> {
            ServerConnection linked = server;
            if (state == ClientState.ACTIVE && linked != null && !linked.isQuiet()) {
                services.pools().cancel(linked);
            } else if (state == ClientState.WAITING) {
                cancelWaitingRequest();
            }
        });
    }

    /**
     * Cancels the first request waiting for a server, as PostgreSQL cancels a query blocked on a lock: ERROR
     * 57014, then ReadyForQuery for a simple Query or FunctionCall; for an extended-protocol request everything up
     * to Sync is skipped and the Sync answered, now or when it comes. Requests behind it keep waiting; with none,
     * the client leaves the queue. The client is between transactions (it waits only from IDLE), hence 'I'.
     */
    private void cancelWaitingRequest() {
        ByteBuf first = pending.peek();
        if (first == null) {
            return;
        }
        byte tag = first.getByte(first.readerIndex());
        boolean simple = tag == FrontendTag.QUERY || tag == FrontendTag.FUNCTION_CALL;
        boolean extended = tag == FrontendTag.PARSE || tag == FrontendTag.BIND || tag == FrontendTag.DESCRIBE
                || tag == FrontendTag.EXECUTE || tag == FrontendTag.CLOSE || tag == FrontendTag.FLUSH;
        if (!simple && !extended) {
            return; // a lone Sync, COPY data or Terminate: nothing that runs
        }
        boolean synced = simple;
        dropPending();
        while (extended && !pending.isEmpty()) {
            byte next = pending.peek().getByte(pending.peek().readerIndex());
            if (next == FrontendTag.TERMINATE) {
                break;
            }
            dropPending();
            if (next == FrontendTag.SYNC) {
                synced = true;
                break;
            }
        }
        channel.write(ErrorResponse.encode(channel.alloc(), PgError.error(SqlState.QUERY_CANCELED,
                "canceling statement due to user request")), channel.voidPromise());
        if (synced) {
            channel.write(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        } else {
            localBatch = LocalBatch.FAILED;
        }
        channel.flush();
        if (pending.isEmpty() && services.pools().cancelWait(pool, this)) {
            transition(ClientState.IDLE);
        }
        if (!terminating && pendingBytes <= MAX_PENDING_BYTES) {
            channel.config().setAutoRead(true);
        }
    }

    private void dropPending() {
        ByteBuf dropped = pending.poll();
        pendingBytes -= dropped.readableBytes();
        dropped.release();
    }

    // ---- leaving -------------------------------------------------------------------------------------------

    /**
     * Ends this client for an exception thrown while serving it, whichever path it came from (its own channel,
     * or the pool handing it a server): a FATAL error for this client alone, never for a server.
     */
    void failed(Throwable cause) {
        if (cause instanceof UnsupportedRequestException) {
            fail(((UnsupportedRequestException) cause).error());
        } else if (cause instanceof ProtocolException) {
            log.info("client {}: protocol violation: {}", describe(), cause.getMessage());
            fail(((ProtocolException) cause).error("invalid frontend message: "));
        } else if (cause instanceof java.io.IOException) {
            log.debug("client {}: {}", describe(), cause.toString());
            close(null);
        } else {
            log.warn("client {}: internal error", describe(), cause);
            fail(PgError.fatal(SqlState.INTERNAL_ERROR, "pgmux internal error: " + cause));
        }
    }

    /** Sends the error (if any) as the client's last message and closes. */
    void fail(PgError error) {
        if (state == ClientState.CLOSED) {
            return;
        }
        if (error != null && channel.isActive()) {
            channel.writeAndFlush(ErrorResponse.encode(channel.alloc(), error)).addListener(ChannelFutureListener.CLOSE);
        }
        close(error);
    }

    /** Leaves: the server, if linked, goes back clean or is closed; the channel closes. */
    void close(PgError reason) {
        if (state == ClientState.CLOSED) {
            return;
        }
        ClientState was = state;
        transition(ClientState.CLOSED);
        cancelTimer();
        ByteBuf each;
        while ((each = pending.poll()) != null) {
            each.release();
        }
        pendingBytes = 0;
        if ((was == ClientState.WAITING || was == ClientState.LOGIN_WAIT) && pool != null) {
            services.pools().cancelWait(pool, this);
        }
        ServerConnection linked = server;
        server = null;
        if (linked != null) {
            linked.unlink();
            String resetQuery = poolMode == PoolMode.SESSION ? services.config().serverResetQuery()
                    : session.leavesStateBehind() ? ServerCleanup.DISCARD_ALL : null;
            ServerCleanup.afterClientLeft(linked, resetQuery, services);
        }
        if (cancelKey != null) {
            services.cancels().unregister(cancelKey);
        }
        admission.release();
        if (pool != null) {
            pool.stats().clientLeft();
        }
        if (reason == null || !channel.isActive()) {
            channel.close();
        }
    }

    /** The channel closed under us. */
    void channelClosed() {
        close(null);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    String describe() {
        return (user == null ? "?" : user) + "@" + (database == null ? "?" : database) + " from "
                + channel.remoteAddress();
    }
}
