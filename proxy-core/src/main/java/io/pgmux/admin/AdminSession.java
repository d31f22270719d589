package io.pgmux.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.pgmux.admin.spi.AdminException;
import io.pgmux.codec.AutoRead;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.CommandComplete;
import io.pgmux.protocol.backend.EmptyQueryResponse;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.Query;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the admin console, from the greeting on. It speaks the simple query protocol only, as
 * PgBouncer's console: each Query's statements run in order, each answered with its result (or an ERROR that
 * skips the rest, as PostgreSQL does), then ReadyForQuery. Terminate closes; any other message (Parse, Bind ...)
 * gets FATAL 08P01 and a closed connection. Confined to its channel's event loop; results come from the
 * {@link AdminConsole}'s view, in memory or asked of every event loop without blocking this one. A statement that
 * waits (PAUSE, SUSPEND, WAIT_CLOSE, RELOAD, SET, and SHOW CLIENTS and SERVERS while the loops answer) holds the
 * session's later messages back, unread, until it is answered.
 */
public final class AdminSession {
    private static final Logger log = LoggerFactory.getLogger(AdminSession.class);

    private final Channel channel;
    private final String user;
    private final CommandExecutor executor;
    private final ConsoleParameters parameters;
    /** Messages that arrived while a statement waits; empty otherwise. */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(1);
    private AdminSessionState state = AdminSessionState.READY;
    /** The query whose statement waits; set exactly while {@link AdminSessionState#WAITING}. */
    private RunningQuery waiting;

    private AdminSession(Channel channel, String user, CommandExecutor executor, ConsoleParameters parameters) {
        this.channel = channel;
        this.user = user;
        this.executor = executor;
        this.parameters = parameters;
    }

    /**
     * Takes over an authenticated client channel whose user may use the console: sends the greeting after
     * AuthenticationOk (ParameterStatus for each reported parameter, BackendKeyData, ReadyForQuery) and returns
     * the session, which from now on must receive every message the channel's framer cuts, through
     * {@link #frameReceived}, and be told when the channel closes. Call on the channel's event loop.
     *
     * @param startupParameters the StartupMessage's parameters, {@code options}' {@code -c} switches expanded
     * @param cancelKey         the key the login flow registered for this client's CancelRequests
     * @return the session; if a startup parameter is invalid (pgmux.extra_columns, DateStyle ...), it has already
     *         answered FATAL 22023 and closed the channel
     */
    public static AdminSession start(Channel channel, AdminRole role, String user,
                                     Map<String, String> startupParameters, BackendKeyData cancelKey,
                                     AdminConsole console) {
        ConsoleParameters parameters;
        List<PgError> notices = new ArrayList<>(0);
        try {
            parameters = ConsoleParameters.of(startupParameters, role, user, console.release() + "/pgmux",
                    notices::add);
        } catch (AdminException e) {
            AdminSession refused = new AdminSession(channel, user, null, null);
            refused.fail(e.error().withSeverity(PgError.FATAL));
            return refused;
        }
        AdminSession session = new AdminSession(channel, user,
                new CommandExecutor(console, role, user, parameters), parameters);
        // As PostgreSQL: what applying the startup parameters noticed, before the parameters are reported.
        notices.forEach(notice ->
                channel.write(ErrorResponse.encodeNotice(channel.alloc(), notice), channel.voidPromise()));
        parameters.greeting().forEach((name, value) ->
                channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise()));
        channel.write(cancelKey.encode(channel.alloc()), channel.voidPromise());
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
        log.debug("admin console: {} connected from {} as {}", user, channel.remoteAddress(), role);
        return session;
    }

    /** One message from the client, as the framer cut it (tag and length included); the session releases it. */
    public void frameReceived(ByteBuf frame) {
        switch (state) {
            case READY:
                handle(frame);
                break;
            case WAITING:
                held.add(frame);
                channel.config().setAutoRead(false);
                break;
            default:
                frame.release();
                break;
        }
    }

    /**
     * A CancelRequest quoted this session's key. A statement that waits is given up, answered
     * {@code 57014}, and undone (a PAUSE or SUSPEND resumes, as PgBouncer does when its console user presses
     * ^C). Callable from any thread.
     */
    public void cancelRequested() {
        channel.eventLoop().execute(() -> {
            if (state != AdminSessionState.WAITING) {
                return;
            }
            RunningQuery query = abandonWait();
            transition(AdminSessionState.READY);
            failQuery(query, PgError.error(SqlState.QUERY_CANCELED, "canceling statement due to user request"));
            query.finish();
            ready();
            drainHeld();
        });
    }

    /** The channel closed: what waits is given up and undone, held messages are released. */
    public void channelClosed() {
        if (state == AdminSessionState.CLOSED) {
            return;
        }
        leave();
    }

    /** Sends {@code error} (FATAL) as the last message and closes; e.g. for a protocol violation. */
    public void fail(PgError error) {
        if (state == AdminSessionState.CLOSED) {
            return;
        }
        channel.writeAndFlush(ErrorResponse.encode(channel.alloc(), error)).addListener(ChannelFutureListener.CLOSE);
        leave();
    }

    // ---- messages --------------------------------------------------------------------------------------------

    private void handle(ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        if (tag == FrontendTag.TERMINATE) {
            frame.release();
            leave();
            channel.close();
            return;
        }
        if (tag != FrontendTag.QUERY) {
            frame.release();
            fail(refusal(tag));
            return;
        }
        String text;
        try {
            text = Query.checkedText(frame);
        } catch (ProtocolException e) {
            fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "invalid frontend message: " + e.getMessage()));
            return;
        } finally {
            frame.release();
        }
        List<String> statements;
        try {
            statements = StatementSplitter.split(text);
        } catch (AdminException e) {
            writeError(e.error());
            ready();
            return;
        }
        if (statements.isEmpty()) {
            channel.write(EmptyQueryResponse.encode(channel.alloc()), channel.voidPromise());
            ready();
            return;
        }
        run(new RunningQuery(statements, parameters.saved()));
    }

    /** PgBouncer's console refuses everything but Query and Terminate, and closes the connection. */
    private static PgError refusal(byte tag) {
        switch (tag) {
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
            case FrontendTag.SYNC:
            case FrontendTag.FLUSH:
                return PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                                "the pgmux admin console does not support the extended query protocol")
                        .withHint("Use the simple query protocol: psql, or preferQueryMode=simple with pgjdbc.");
            default:
                return PgError.fatal(SqlState.PROTOCOL_VIOLATION, "unexpected message type "
                        + MessageFramer.printable(tag) + " for the pgmux admin console");
        }
    }

    // ---- statements -----------------------------------------------------------------------------------------

    /** Runs the query's remaining statements until one fails, one waits, or all are answered. */
    private void run(RunningQuery query) {
        while (query.hasNext()) {
            Outcome outcome;
            try {
                outcome = executor.execute(query.next());
            } catch (AdminException e) {
                failQuery(query, e.error());
                break;
            } catch (RuntimeException e) {
                log.warn("admin console: {}: statement failed: {}", user, Excerpt.of(query.current()), e);
                failQuery(query, PgError.error(SqlState.INTERNAL_ERROR, "pgmux internal error: " + e));
                break;
            }
            if (outcome instanceof Outcome.Waiting) {
                startWaiting(query, (Outcome.Waiting) outcome);
                return;
            }
            if (outcome instanceof Outcome.Leaving) {
                Outcome.Leaving leaving = (Outcome.Leaving) outcome;
                fail(leaving.error());
                try {
                    leaving.then().run();
                } catch (RuntimeException e) {
                    log.error("admin console: {}: {} failed after the session closed", user,
                            Excerpt.of(query.current()), e);
                }
                return;
            }
            if (outcome instanceof Outcome.Refused) {
                Outcome.Refused refused = (Outcome.Refused) outcome;
                refused.notices().forEach(notice ->
                        channel.write(ErrorResponse.encodeNotice(channel.alloc(), notice), channel.voidPromise()));
                failQuery(query, refused.error());
                break;
            }
            write(outcome);
        }
        ready();
    }

    private void write(Outcome outcome) {
        if (outcome instanceof Outcome.Rows) {
            Outcome.Rows rows = (Outcome.Rows) outcome;
            channel.write(rows.table().encode(channel.alloc(), rows.tag()), channel.voidPromise());
        } else if (outcome instanceof Outcome.Done) {
            complete(((Outcome.Done) outcome).tag());
        } else if (outcome instanceof Outcome.ParametersChanged) {
            Outcome.ParametersChanged changed = (Outcome.ParametersChanged) outcome;
            changed.notices().forEach(notice ->
                    channel.write(ErrorResponse.encodeNotice(channel.alloc(), notice), channel.voidPromise()));
            complete(changed.tag());
        } else if (outcome instanceof Outcome.Notice) {
            Outcome.Notice notice = (Outcome.Notice) outcome;
            channel.write(ErrorResponse.encodeNotice(channel.alloc(), notice.notice()), channel.voidPromise());
            complete(notice.tag());
        } else {
            throw new IllegalStateException("cannot write " + outcome);
        }
    }

    private void startWaiting(RunningQuery query, Outcome.Waiting outcome) {
        transition(AdminSessionState.WAITING);
        waiting = query;
        query.waitFor(outcome);
        channel.flush();
        // The stage may complete on any thread, or already have: always continue on the session's loop.
        outcome.stage().whenComplete((result, error) ->
                channel.eventLoop().execute(() -> waited(query, result, error)));
    }

    private void waited(RunningQuery query, Outcome result, Throwable error) {
        if (state != AdminSessionState.WAITING || waiting != query) {
            return; // given up meanwhile (cancel, disconnect)
        }
        query.finish();
        waiting = null;
        transition(AdminSessionState.READY);
        if (error == null) {
            write(result);
            run(query);
        } else {
            failQuery(query, errorOf(error));
            ready();
        }
        drainHeld();
    }

    private PgError errorOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof AdminException) {
            return ((AdminException) cause).error();
        }
        log.warn("admin console: {}: waiting statement failed", user, cause);
        return PgError.error(SqlState.INTERNAL_ERROR, "pgmux internal error: " + cause);
    }

    /** Gives up the statement that waits; the caller moves the state on. */
    private RunningQuery abandonWait() {
        RunningQuery query = waiting;
        waiting = null;
        try {
            query.waitingOutcome().onAbandon().run();
        } catch (RuntimeException e) {
            log.warn("admin console: {}: undoing {} failed", user, Excerpt.of(query.current()), e);
        }
        return query;
    }

    /**
     * The client's socket filled or drained: while no statement waits, the session reads only while the socket takes
     * more, as a backend blocked writing to its client reads nothing more; a client that sends SHOW after SHOW and
     * never reads cannot make pgmux keep the answers without end.
     */
    public void writabilityChanged() {
        if (state == AdminSessionState.READY) {
            AutoRead.set(channel, channel.isWritable());
        }
    }

    /** Runs the messages held back while a statement waited, until they are done or another one waits. */
    private void drainHeld() {
        while (state == AdminSessionState.READY && !held.isEmpty()) {
            handle(held.poll());
        }
        if (state == AdminSessionState.READY) {
            AutoRead.set(channel, channel.isWritable());
        }
    }

    // ---- answers and the end -------------------------------------------------------------------------------

    private void complete(String tag) {
        channel.write(new CommandComplete(tag).encode(channel.alloc()), channel.voidPromise());
    }

    /**
     * Ends a query with {@code error}: as PostgreSQL, which runs a Query's statements in one implicit transaction,
     * the session parameters its earlier statements set go back to what they were before it (guc.c, AtEOXact_GUC).
     */
    private void failQuery(RunningQuery query, PgError error) {
        parameters.restore(query.parametersBefore());
        writeError(error);
    }

    private void writeError(PgError error) {
        channel.write(ErrorResponse.encode(channel.alloc(), error), channel.voidPromise());
    }

    /** ReadyForQuery, after the reported parameters the query changed, as PostgreSQL sends them. */
    private void ready() {
        parameters.unreported().forEach((name, value) ->
                channel.write(new ParameterStatus(name, value).encode(channel.alloc()), channel.voidPromise()));
        channel.writeAndFlush(ReadyForQuery.encode(channel.alloc(), TransactionStatus.IDLE), channel.voidPromise());
    }

    private void leave() {
        if (state == AdminSessionState.WAITING) {
            abandonWait();
        }
        transition(AdminSessionState.CLOSED);
        ByteBuf each;
        while ((each = held.poll()) != null) {
            each.release();
        }
    }

    /** The one place the state changes. */
    private void transition(AdminSessionState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("admin console session of " + user + ": illegal transition " + state
                    + " -> " + next);
        }
        state = next;
    }

    /** The statements of one Query, and which of them runs. */
    private static final class RunningQuery {
        private final List<String> statements;
        /** The session parameters as the query found them, for an error to restore. */
        private final Map<String, String> parametersBefore;
        private int next;
        private Outcome.Waiting waitingFor;

        RunningQuery(List<String> statements, Map<String, String> parametersBefore) {
            this.statements = statements;
            this.parametersBefore = parametersBefore;
        }

        Map<String, String> parametersBefore() {
            return parametersBefore;
        }

        boolean hasNext() {
            return next < statements.size();
        }

        String next() {
            return statements.get(next++);
        }

        String current() {
            return statements.get(next - 1);
        }

        void waitFor(Outcome.Waiting outcome) {
            waitingFor = outcome;
        }

        Outcome.Waiting waitingOutcome() {
            return waitingFor;
        }

        /** The statement's wait ended; returns what it waited for. */
        Outcome.Waiting finish() {
            Outcome.Waiting outcome = waitingFor;
            waitingFor = null;
            return outcome;
        }
    }
}
