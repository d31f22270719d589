package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pgmux.codec.AutoRead;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.Timeouts;
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
import io.pgmux.session.SessionParameters;
import io.pgmux.session.SessionTracker;
import io.pgmux.session.UnsupportedRequestException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logged-in client of a pool: its requests go to whichever server the pool lends it, and the server goes back
 * as its {@link ReleasePolicy} says. This is where a pooled request is forwarded: COPY data, bodiless messages and
 * the extended-protocol messages that go unchanged (or only renamed) pass in runs ({@link ClientRuns}); the rest,
 * and whatever comes while no server is linked, come whole and are read here. Between transactions some are
 * answered here with no server ({@link ReleasePolicy#parseWithoutServer}).
 * Its other jobs have their own classes: waiting for a server ({@link ServerLending}), the server's answers and
 * giving it back ({@link ServerAnswers}), timeouts and cancel ({@link SessionWatch}), byte counts and the burst
 * clock ({@link ClientTraffic}). Confined to the client's event loop, which a linked server shares.
 */
final class PooledSession implements ClientPhase, LocalAnswers.Inspection {
    private static final Logger log = LoggerFactory.getLogger(PooledSession.class);

    private final ClientConnection client;
    private final ClientServices services;
    private final ServerPool pool;
    private final SessionParameters parameters;
    private final ReleasePolicy policy;
    /** Settings and pinning (in session mode, only RESETs of startup values). */
    private final SessionTracker session;
    private final PendingRequests pending = new PendingRequests();
    private final SessionWatch watch;
    private final ClientTraffic traffic;
    /*
     * The four below are made on first use (the first message, the first request sent, the first wait, the first
     * server), then kept, so a transaction allocates nothing: an idle client that never sends a request holds none
     * of them.
     */
    private ClientRuns runs;
    private RequestClock clock;
    private ServerLending lending;
    private ServerAnswers answers;
    /**
     * The client's pipeline handler, whose framer cuts the client's stream and knows whether a message of the
     * client's is half forwarded to the server; null where a session is driven without one (tests).
     */
    private final ClientHandler handler;
    private ServerConnection server;
    private final LocalAnswers local;
    /** The client sent Terminate: nothing after it is read, and it leaves once what came before is answered. */
    private boolean terminating;
    /** Whether a graceful shutdown closes the client at its transaction's end; changed by {@link #drainStarted}. */
    private DrainState drain = DrainState.SERVING;

    PooledSession(ClientConnection client, ClientServices services, ServerPool pool, SessionParameters parameters,
                  ReleasePolicy policy, SessionTracker session) {
        this.client = client;
        this.services = services;
        this.pool = pool;
        this.parameters = parameters;
        this.policy = policy;
        this.session = session;
        this.local = new LocalAnswers(client.channel(), policy);
        this.traffic = new ClientTraffic(pool.stats());
        this.watch = new SessionWatch(this, client, services, pool);
        this.handler = client.channel().pipeline().get(ClientHandler.class);
    }

    private ClientRuns runs() {
        if (runs == null) {
            runs = new ClientRuns(this, client, policy, session, pool.stats(), clock(), watch.timeouts(), traffic);
        }
        return runs;
    }

    /** Times the client's queries; made when its first request goes to a server. */
    private RequestClock clock() {
        if (clock == null) {
            clock = new RequestClock(pool.stats(), new SlowQueries(services, client, pool));
        }
        return clock;
    }

    private Channel channel() {
        return client.channel();
    }

    /** The server is no longer this client's (given back, lost, or dropped): returns it, if there was one. */
    ServerConnection serverGone() {
        ServerConnection gone = server;
        server = null;
        if (clock != null) {
            clock.serverGone();
        }
        return gone;
    }

    ServerConnection server() {
        return server;
    }

    PendingRequests pending() {
        return pending;
    }

    LocalAnswers local() {
        return local;
    }

    boolean isTerminating() {
        return terminating;
    }

    /**
     * No request waiting or running, and the server, if any, idle outside a transaction (or at the edge of a
     * message of its own half passed: an asynchronous NoticeResponse or NotificationResponse).
     */
    private boolean isBetweenTransactions() {
        ServerConnection linked = server;
        return pending.isEmpty() && (state() == ClientState.IDLE || state() == ClientState.ACTIVE && linked != null
                && linked.isQuiet() && linked.transactionStatus() == TransactionStatus.IDLE
                && !linked.isInsideAnswer());
    }

    /**
     * A graceful shutdown began. A client between transactions leaves now with FATAL 57P01, as does one waiting for
     * a server: it waits only between transactions (in transaction mode it has no server then; in session mode it
     * has had none yet), and its request has not started, so it never runs. Any other leaves the moment its
     * transaction ends ({@link ServerAnswers#serverAtBoundary}): once the ReadyForQuery 'I' that ends it, with nothing
     * outstanding, is written to it. That holds in session mode too, and for a pinned client: a server of its own
     * idle outside a transaction is the moment PostgreSQL's smart shutdown would leave it alone, and pgmux does not
     * wait for a session to end by itself (SHUTDOWN WAIT_FOR_CLIENTS does). A client still waiting for its first
     * server to greet it with is greeted, then closed at that server's first boundary. Told twice (it logged in
     * while the drain was telling the others), it acts once.
     */
    @Override
    public void drainStarted() {
        if (drain == DrainState.DRAINING) {
            return;
        }
        drain = drain.moveTo(DrainState.DRAINING);
        if (state() == ClientState.WAITING || isBetweenTransactions()) {
            client.fail(DrainState.ADMIN_SHUTDOWN);
        }
    }

    /** Whether a graceful shutdown closes this client at its transaction's end: a plain read, on the hot path. */
    boolean isDraining() {
        return drain == DrainState.DRAINING;
    }

    @Override
    public boolean insideForwardedMessage() {
        ServerConnection linked = server;
        return linked != null && linked.isInsideAnswer();
    }

    /**
     * Whether the server holds part of a message of the client's (CopyData passes in parts): it waits for the rest,
     * and reads whatever comes next as its bytes.
     */
    boolean clientInsideMessage() {
        return handler != null && handler.framer() != null && handler.framer().inMessage();
    }

    @Override
    public ClientInfo.Session describeSession() {
        return new ClientInfo.Session(watch.timeouts().lastMessageNanos(), server, parameters.applicationName(),
                session.pinReason(), policy.preparedStatements(), policy.heldStatements());
    }

    /**
     * Greets the client now if its pool knows what to greet with and its database has taken the client's startup
     * settings before, else once a server has logged in and taken them (a rejected one fails the login, see
     * {@link ServerLending}).
     */
    void start() {
        pool.stats().clientLoggedIn();
        if (handler != null && handler.framer() != null) {
            // From the next message on, what needs no reading (COPY data above all) goes out as runs of bytes.
            handler.framer().forwardRuns(handler);
        }
        Map<String, String> reported = pool.welcomeParameters() == null ? null
                : services.acceptedSettings().reportedFor(pool.key(), parameters.startupSettings());
        if (reported != null) {
            client.transition(ClientState.IDLE);
            Map<String, String> greeting = greeting();
            parameters.adopt(greeting, reported);
            greet(greeting);
        } else {
            client.transition(ClientState.LOGIN_WAIT);
            channel().flush();
            waitForServer();
        }
        if (services.isDraining()) {
            // Logged in while ClientServices#drainClients told the others (it passed the refusal of new logins
            // before the shutdown began): it drains as they do.
            drainStarted();
        }
    }

    /**
     * The ParameterStatus values to greet the client with, which are the client's from now on (what a server's
     * settings are aligned to): its own where it asked for them, else its pool's welcome parameters.
     */
    Map<String, String> greeting() {
        return parameters.greeting(pool.welcomeParameters());
    }

    /**
     * ParameterStatus for each parameter of {@code greeting} (see {@link #greeting()}), BackendKeyData,
     * ReadyForQuery: the client may start.
     */
    void greet(Map<String, String> greeting) {
        client.loggedIn();
        Channel channel = channel();
        greeting.forEach((name, value) ->
                channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise()));
        channel.write(client.cancelKey().encode(channel.alloc()), channel.voidPromise());
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        if (log.isDebugEnabled()) {
            log.debug("client {} logged in", client.describe()); // describe() formats the address: not per login
        }
    }

    private ClientState state() {
        return client.state();
    }

    // ---- client messages ----------------------------------------------------------------------------------

    @Override
    public MessageRouter.Route route(byte tag, int length) {
        return runs().route(tag, length);
    }

    @Override
    public MessageRouter.Route inspect(ByteBuf frame) {
        return runs().inspect(frame);
    }

    @Override
    public int replaceHead(ByteBuf frame) {
        return runs().replaceHead(frame);
    }

    @Override
    public void run(ByteBuf bytes) {
        runs().run(bytes);
    }

    @Override
    public void frameReceived(ByteBuf frame) {
        long now = traffic.burstNanos();
        watch.timeouts().messageReceived(now);
        traffic.received(frame);
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
        PreparedStatementCounts.count(pool.stats(), tag, frame);
        if (local.skipped(tag, frame)) {
            return;
        }
        if (state() == ClientState.ACTIVE && pending.isEmpty() && !policy.waitsForAnswers(frame)) {
            forward(server, frame, server.isAtBoundary(), now);
            return;
        }
        if (state() == ClientState.IDLE && pending.isEmpty() && local.answered(tag, frame, this)) {
            return;
        }
        keep(frame);
        if (state() == ClientState.IDLE) {
            waitForServer();
        }
    }

    /**
     * Keeps what the client sent while no server takes it: a message that came whole, or a run of whole messages
     * from {@link ClientRuns#run}, behind what waits already; it goes out once a server comes ({@link #sendPending}).
     * Past {@link PendingRequests#MAX_BYTES} nothing more is read meanwhile.
     */
    void keep(ByteBuf kept) {
        local.toServer();
        if (pending.add(kept)) {
            channel().config().setAutoRead(false);
        }
    }

    /**
     * Sends what the client sent while it waited to the linked {@code target}, in order, and flushes: a message
     * taken whole as it arrived through {@link #forward}, a kept run through {@link ClientRuns#sendKept}. Stops at a
     * message that must wait for the answers to what went before it ({@link ReleasePolicy#waitsForAnswers}), which
     * stays first in line, and at a Terminate, whose turn has come ({@link #terminate}): returns false then.
     *
     * @param serverIdle whether the server will have nothing outstanding and no transaction open when the first of
     *     them arrives
     */
    boolean sendPending(ServerConnection target, boolean serverIdle) {
        long now = System.nanoTime();
        boolean first = serverIdle;
        ByteBuf each;
        while ((each = pending.peek()) != null) {
            if (each.getByte(each.readerIndex()) == FrontendTag.TERMINATE) {
                pending.poll().release();
                target.flush();
                terminate();
                return false;
            }
            boolean one = PendingRequests.isOneMessage(each);
            if (one && policy.waitsForAnswers(each)) {
                break;
            }
            pending.poll();
            if (one) {
                forward(target, each, first, now);
            } else if (!runs().sendKept(target, each, first, now)) {
                break;
            }
            first = false;
        }
        target.flush();
        return true;
    }

    /**
     * The server answered a batch: what waited for those answers ({@link ReleasePolicy#waitsForAnswers}) goes out now,
     * to the same server, behind what it still answers.
     */
    void sendHeld(ServerConnection linked) {
        if (!pending.isEmpty() && state() == ClientState.ACTIVE && sendPending(linked, linked.isAtBoundary())) {
            AutoRead.set(channel(), linked.isWritable() && !pending.overLimit());
        }
    }

    /**
     * Sends a client message to its server. SQL that changes session state is noted so the state can follow the
     * client (or pin it); the policy translates statement names where it shares them.
     *
     * @param serverIdle whether the server will have nothing outstanding and no transaction open when the
     *     message reaches it
     */
    void forward(ServerConnection target, ByteBuf frame, boolean serverIdle, long nowNanos) {
        byte tag = frame.getByte(frame.readerIndex());
        if (policy.skips(tag)) {
            frame.release();
            return;
        }
        if (policy.inspects(tag)) {
            try {
                session.inspect(frame);
            } catch (UnsupportedRequestException e) {
                frame.release();
                refuse(target, tag, e.error(), nowNanos);
                return;
            } catch (ProtocolException e) {
                frame.release();
                client.failed(e);
                return;
            }
        }
        clock().sent(nowNanos, tag == FrontendTag.QUERY || tag == FrontendTag.SYNC
                || tag == FrontendTag.FUNCTION_CALL);
        policy.send(target, frame, tag);
        if (tag == FrontendTag.QUERY && policy.followsSettings()) {
            session.forwarded(target, serverIdle, answers().tell());
        }
    }

    /**
     * pinning: error refuses a message as PostgreSQL refuses a statement: with an ERROR, after which the session
     * goes on. A stand-in certain to fail takes the message's place on the server, so that the server fails where
     * the client's message would have (a transaction block becomes failed, and after an extended-protocol message
     * the backend skips to Sync, as PostgreSQL does after an error); pgmux's error reaches the client in place of
     * the stand-in's, in the order of its answers.
     */
    private void refuse(ServerConnection target, byte tag, PgError error, long nowNanos) {
        ByteBuf standIn = UnsupportedRequestException.standIn(channel().alloc(), tag);
        ByteBuf answer = ErrorResponse.encode(channel().alloc(), error);
        if (tag == FrontendTag.QUERY || tag == FrontendTag.FUNCTION_CALL) {
            clock().sent(nowNanos, true);
            target.refuseSimple(standIn, answer);
        } else {
            target.refuse(standIn, answer);
        }
    }

    /**
     * Reads what a client message answered with no server does to the session. Returns false when it must not be
     * answered here: it is malformed (the client failed, the message released), or pinning: error refuses it (it
     * goes to a server, which fails it: {@link #refuse}).
     */
    @Override
    public boolean inspected(ByteBuf frame) {
        try {
            session.inspect(frame);
            return true;
        } catch (UnsupportedRequestException e) {
            return false;
        } catch (ProtocolException e) {
            frame.release();
            client.failed(e);
        }
        return false;
    }

    @Override
    public boolean failedClient() {
        return client.state() == ClientState.CLOSED;
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
            if (!linked.isQuiet() && !clientInsideMessage()) {
                linked.askWhetherSyncsAnswered(); // held back while part of a CopyData was still to come
            }
            linked.flush();
            if (linked.isAtBoundary() && !clientInsideMessage()) {
                // A boundary the server reached while part of a message of the client's was still to come: that
                // message is whole on the server now (see ServerAnswers#serverAtBoundary).
                answers().serverAtBoundary();
            }
        }
        // The next read of the client's is a new burst: its messages get a clock reading of their own.
        traffic.clientBurstEnded();
    }

    // ---- termination -------------------------------------------------------------------------------------

    /**
     * Terminate: it takes its place behind what the client sent before it, as PostgreSQL reads it only after
     * running those; nothing after it is read.
     */
    private void terminateReceived(ByteBuf frame) {
        terminating = true;
        channel().config().setAutoRead(false);
        if (pending.isEmpty()) {
            frame.release();
            terminate();
        } else {
            pending.addTerminate(frame);
        }
    }

    /**
     * Acts on a Terminate whose turn has come (everything the client sent before it has gone to its server). With
     * nothing owed the client leaves at once. While requests that end with a ReadyForQuery are still to be answered
     * it waits for them (ServerAnswers calls again at each, and at a CopyInResponse), as it waits for a query of
     * pgmux's own, so the server, quiet then, goes back to the pool. Where the backend owes answers no ReadyForQuery
     * will end (an extended-protocol batch with no Sync behind it, or COPY FROM STDIN) only PostgreSQL knows what it
     * sends before it reads the Terminate (what a Flush asked for, an error, a CopyInResponse, and in COPY its
     * protocol error), so the Terminate goes to the backend ({@link ServerConnection#passesTerminate}), its answers
     * reach the client as any do, and its exit ends the client's connection (ServerAnswers#serverLost). pgmux never
     * sends a Sync in its place, which would commit the batch's writes.
     */
    void terminate() {
        ServerConnection linked = server;
        if (state() == ClientState.ACTIVE && linked != null && !linked.isQuiet()) {
            if (linked.passesTerminate()) {
                linked.passTerminate();
                linked.flush();
            }
            return;
        }
        channel().flush();
        client.terminated();
    }

    // ---- waiting for a server: the lending's -----------------------------------------------------------

    private void waitForServer() {
        lending().waitForServer();
    }

    /** A server was lent to this client: from now on its answers go to the client. */
    void linked(ServerConnection assigned) {
        server = assigned;
        assigned.link(answers());
    }

    /**
     * For a request read in place while the client has no server: a server now, if one can be had at once (see
     * {@link ServerLending#serverForRequestInPlace}). What the client's batch was answered with locally ends here.
     */
    boolean serverForRequestInPlace() {
        local.toServer();
        return lending().serverForRequestInPlace();
    }

    /** What the pool sees of this session: the holder of its place in the queue; made at the first wait. */
    ServerLending lending() {
        if (lending == null) {
            lending = new ServerLending(this, client, services, pool, parameters);
        }
        return lending;
    }

    /** Where a linked server's answers go; made when the first server is linked. */
    ServerAnswers answers() {
        if (answers == null) {
            answers = new ServerAnswers(this, client, services, parameters, policy, session, watch.timeouts(), clock(),
                    traffic);
        }
        return answers;
    }

    /**
     * A client with a server is read while that server's socket takes more (its server is not read while the client's
     * socket is full, see {@link ServerAnswers}); one without is read as {@link #readWhileUnlinked} says.
     */
    @Override
    public void writabilityChanged() {
        ServerConnection linked = server;
        if (linked != null && state() == ClientState.ACTIVE) {
            linked.setAutoRead(channel().isWritable());
        } else {
            readWhileUnlinked();
        }
    }

    /**
     * Reads the client, while no server takes its requests, unless it sent Terminate, what it sent ahead passed
     * {@link PendingRequests#MAX_BYTES}, or its socket is full of what pgmux answered itself (a Parse of a known
     * statement, a Sync, a cancelled request's error): as a backend blocked writing to its client reads nothing
     * more, so a client that never reads cannot make pgmux keep its answers without end.
     */
    void readWhileUnlinked() {
        AutoRead.set(channel(), !terminating && !pending.overLimit() && channel().isWritable());
    }

    // ---- timeouts and cancel: the watch's ----------------------------------------------------------------

    @Override
    public void checkTimeouts(long nowNanos, Timeouts configured) {
        watch.check(nowNanos, configured);
    }

    @Override
    public void cancelRequested() {
        watch.cancelRequested();
    }

    // ---- leaving -----------------------------------------------------------------------------------------

    @Override
    public void protocolViolation() {
        pool.stats().protocolError();
    }

    /** The server, if linked, goes back clean or is closed; a place in the queue is given up. */
    @Override
    public void left(ClientState was) {
        pending.releaseAll();
        if (was == ClientState.WAITING || was == ClientState.LOGIN_WAIT) {
            services.pools().cancelWait(pool, lending());
        }
        ServerConnection linked = serverGone();
        if (linked != null) {
            linked.unlink();
            ServerCleanup.afterClientLeft(linked, policy.resetQueryOnLeave(session, linked, services.config()),
                    services, clientInsideMessage(), terminating);
        }
        traffic.count();
        pool.stats().clientLeft();
    }
}
