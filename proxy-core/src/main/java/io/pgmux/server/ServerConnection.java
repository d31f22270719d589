package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.CopyFail;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.Sync;
import io.pgmux.protocol.frontend.Terminate;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from pgmux to PostgreSQL. It is confined to the event loop its channel is registered on; while
 * linked, that is the client's loop, so the pair never needs a lock.
 *
 * <p>It forwards bytes both ways and decodes only what transaction pooling needs: ReadyForQuery (with the queue
 * of outstanding requests it closes), ErrorResponse, ParameterStatus and the COPY sub-protocol's edges.
 */
public final class ServerConnection {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final long id;
    private final UpstreamTarget target;
    private final ServerSlot slot;
    private final ResponseQueue queue = new ResponseQueue();
    private final PreparedOnServer prepared;
    /** Reported parameters (lower-case name to value) as the backend last told them. */
    private final Map<String, String> reported = new HashMap<>();
    /**
     * Settings other than the tracked reported parameters that pgmux knows this backend to have at session level
     * (lower-case name to value), role and session_authorization included.
     */
    private final Map<String, String> extraSettings = new HashMap<>();
    private Channel channel;
    private ServerLogin login;
    private BackendKeyData backendKey;
    private ServerLink link;
    private TransactionStatus transactionStatus = TransactionStatus.IDLE;
    /** Whether the backend needs a Sync before it is ready, and whether it skips messages until then. */
    private ExtendedBatch batch = ExtendedBatch.NONE;
    /** The backend is in COPY FROM STDIN, where it neither answers Sync nor Flush. */
    private boolean copyIn;
    /** An error was reported since the last ReadyForQuery. */
    private boolean errorSinceReady;
    /** An error came back for the tracked Query at the head of the queue. */
    private boolean queryFailed;
    /** A FATAL error already went to the linked client, which therefore needs no second one. */
    private boolean fatalForwarded;
    private PgError closeReason;
    private Map<String, String> welcome = Map.of();
    private boolean loginFailureReported;

    /** @param slot the owner's record of this connection, which hears its events and holds its state */
    public ServerConnection(long id, UpstreamTarget target, ServerSlot slot, int maxPreparedStatements) {
        this.prepared = new PreparedOnServer(maxPreparedStatements);
        this.id = id;
        this.target = target;
        this.slot = slot;
        slot.attach(this);
    }

    public long id() {
        return id;
    }

    /** The TLS version and cipher of this connection (SHOW SERVERS' tls column); empty without TLS. */
    public java.util.Optional<io.pgmux.tls.TlsSessionInfo> tls() {
        Channel current = channel;
        return current == null ? java.util.Optional.empty() : io.pgmux.tls.TlsSessionInfo.of(current);
    }

    public UpstreamTarget target() {
        return target;
    }

    /** Where the connection is in its pool; the pool changes it, through the slot. */
    public ServerState state() {
        return slot.state();
    }

    /** The owner's record of this connection (for the pool: the list it sits on and what it holds). */
    public ServerSlot slot() {
        return slot;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public boolean isUsable() {
        return channel != null && channel.isActive() && !slot.state().isLeaving();
    }

    public BackendKeyData backendKey() {
        return backendKey;
    }

    public Map<String, String> reportedParameters() {
        return Collections.unmodifiableMap(reported);
    }

    public Map<String, String> extraSettings() {
        return Collections.unmodifiableMap(extraSettings);
    }

    // ---- lifecycle, driven by ServerHandler -------------------------------------------------------------

    void channelActive(Channel newChannel) {
        channel = newChannel;
        slot.connected(this); // once more when libpq's sslmode steps make a second attempt: no change then
        login = new ServerLogin(target, io.pgmux.tls.ServerEndPoint.ofPeer(newChannel));
        newChannel.writeAndFlush(login.startupMessage(newChannel.alloc()), newChannel.voidPromise());
    }

    void attachChannel(Channel newChannel) {
        channel = newChannel;
    }

    void frameReceived(ByteBuf frame) {
        if (login != null) {
            loginFrame(frame);
            return;
        }
        byte tag = frame.getByte(frame.readerIndex());
        switch (tag) {
            case BackendTag.READY_FOR_QUERY:
                readyForQuery(frame);
                break;
            case BackendTag.PARAMETER_STATUS:
                parameterStatus(frame);
                break;
            case BackendTag.ERROR_RESPONSE:
                errorResponse(frame);
                break;
            case BackendTag.NOTICE_RESPONSE:
            case BackendTag.NOTIFICATION_RESPONSE:
                forwardOrDrop(frame);
                break;
            case BackendTag.COPY_IN_RESPONSE:
                copyIn = true;
                if (!queue.isEmpty() && ResponseQueue.isExtended(queue.peek())) {
                    // COPY started by Execute: a Sync the client already sent behind it is ignored by the
                    // server during copy-in, so no ReadyForQuery will answer it; the backend needs another
                    // once the COPY has ended.
                    queue.removeFirstAfterHead(ResponseQueue.SYNC);
                    batch = ExtendedBatch.OPEN;
                }
                deliver(frame, false);
                if (link != null) {
                    link.serverCopyInStarted();
                }
                break;
            case BackendTag.COMMAND_COMPLETE:
                copyIn = false;
                deliver(frame, true);
                break;
            case BackendTag.PARSE_COMPLETE:
            case BackendTag.BIND_COMPLETE:
            case BackendTag.CLOSE_COMPLETE:
            case BackendTag.ROW_DESCRIPTION:
            case BackendTag.NO_DATA:
            case BackendTag.EMPTY_QUERY_RESPONSE:
            case BackendTag.PORTAL_SUSPENDED:
                deliver(frame, true);
                break;
            default:
                deliver(frame, false);
                break;
        }
    }

    private void loginFrame(ByteBuf frame) {
        boolean done;
        try {
            done = login.handle(frame, channel.alloc(), msg -> channel.writeAndFlush(msg, channel.voidPromise()));
        } finally {
            frame.release();
        }
        if (done) {
            backendKey = login.backendKey();
            welcome = Map.copyOf(login.parameters());
            welcome.forEach((name, value) -> reported.put(name.toLowerCase(Locale.ROOT), value));
            login = null;
            slot.loginSucceeded(this);
        }
    }

    /** The welcome parameters with their canonical names, as the backend sent them at login. */
    public Map<String, String> welcomeParameters() {
        return welcome;
    }

    /**
     * Routes an answer to the request at the head of the queue. {@code terminal} says whether this message type
     * ends an extended-protocol request; Query, Sync and pgmux's own queries end only with ReadyForQuery.
     */
    private void deliver(ByteBuf frame, boolean terminal) {
        if (queue.isEmpty()) {
            forwardOrDrop(frame);
            return;
        }
        byte kind = queue.peek();
        if (kind == ResponseQueue.REFUSED) {
            // The stand-in found a statement after all (only a pinned client's own SQL PREPARE could make one of
            // that name): the client still gets pgmux's error for its message.
            frame.release();
            if (terminal) {
                forwardOrDrop((ByteBuf) queue.poll());
            }
            return;
        }
        if (kind == ResponseQueue.INTERNAL_QUERY) {
            ((PendingRequest.Internal) queue.payloadOfHead()).received(frame);
            frame.release();
        } else if (kind == ResponseQueue.INJECTED) {
            frame.release();
        } else {
            forwardOrDrop(frame);
        }
        if (terminal && ResponseQueue.isExtended(kind)) {
            complete(true);
        }
    }

    /** Pops the head request, telling a tracked one how it went. */
    private void complete(boolean succeeded) {
        byte kind = queue.peek();
        Object payload = queue.poll();
        if (kind == ResponseQueue.EXTENDED_TRACKED || kind == ResponseQueue.INJECTED
                || kind == ResponseQueue.QUERY_TRACKED) {
            ((Outcome) payload).done(succeeded);
        } else if (kind == ResponseQueue.REFUSED) {
            ((ByteBuf) payload).release();
        } else if (kind == ResponseQueue.INTERNAL_QUERY) {
            ((PendingRequest.Internal) payload).complete();
        }
    }

    private void readyForQuery(ByteBuf frame) {
        transactionStatus = ReadyForQuery.status(frame);
        copyIn = false;
        // Extended requests still queued here were skipped by the server after an error: they failed.
        while (!queue.isEmpty() && ResponseQueue.isExtended(queue.peek())) {
            complete(false);
        }
        if (queue.isEmpty()) {
            frame.release();
            throw new ProtocolException("server sent ReadyForQuery with nothing outstanding");
        }
        byte kind = queue.peek();
        if (kind == ResponseQueue.INTERNAL_QUERY) {
            frame.release();
        } else {
            forwardOrDrop(frame);
        }
        complete(kind != ResponseQueue.QUERY_TRACKED || !queryFailed);
        queryFailed = false;
        boolean failed = errorSinceReady;
        errorSinceReady = false;
        if (link != null && kind != ResponseQueue.INTERNAL_QUERY) {
            link.serverReadyForQuery(transactionStatus, failed);
        }
        if (link != null && isAtBoundary()) {
            link.serverAtBoundary();
        }
    }

    private void parameterStatus(ByteBuf frame) {
        ByteBuf body = frame.duplicate().skipBytes(5);
        ParameterStatus status = ParameterStatus.decode(body);
        reported.put(status.name().toLowerCase(Locale.ROOT), status.value());
        if (link != null) {
            link.serverParameterChanged(status.name(), status.value(), frame);
        } else {
            frame.release();
        }
    }

    private void errorResponse(ByteBuf frame) {
        copyIn = false;
        PgError error = ErrorResponse.decode(frame.duplicate().skipBytes(5));
        errorSinceReady = true;
        if (error.isFatal()) {
            closeReason = error;
            fatalForwarded = link != null;
        }
        if (error.sqlState().equals(SqlState.FEATURE_NOT_SUPPORTED) && STALE_PLAN.equals(error.message())) {
            prepared.markAllStale();
        }
        if (queue.isEmpty()) {
            if (link == null) {
                log.info("server {} ({}) reported while not linked: {}", id, target, error);
            }
            forwardOrDrop(frame);
            return;
        }
        byte kind = queue.peek();
        switch (kind) {
            case ResponseQueue.INTERNAL_QUERY:
                ((PendingRequest.Internal) queue.payloadOfHead()).failed(error);
                frame.release();
                return;
            case ResponseQueue.QUERY_TRACKED:
                queryFailed = true;
                forwardOrDrop(frame);
                return;
            case ResponseQueue.QUERY:
            case ResponseQueue.SYNC:
                forwardOrDrop(frame);
                return;
            case ResponseQueue.REFUSED:
                // The stand-in failed as intended: the client gets pgmux's error in place of the server's.
                frame.release();
                forwardOrDrop((ByteBuf) queue.poll());
                skipToSync();
                return;
            default:
                // An extended request failed (a failed injected Parse is the client's business too).
                forwardOrDrop(frame);
                complete(false);
                skipToSync();
        }
    }

    /**
     * After an error in an extended-protocol request the backend ignores every message up to the next Sync, a
     * simple Query or FunctionCall included: whatever was sent in between fails without an answer. With no Sync
     * sent yet, the backend goes on skipping whatever comes until one is.
     */
    private void skipToSync() {
        while (!queue.isEmpty() && queue.peek() != ResponseQueue.SYNC) {
            if (queue.peek() == ResponseQueue.INTERNAL_QUERY) {
                ((PendingRequest.Internal) queue.payloadOfHead()).failed(SKIPPED);
            }
            complete(false);
        }
        if (queue.isEmpty()) {
            batch = ExtendedBatch.FAILED;
        }
    }

    private static final String STALE_PLAN = "cached plan must not change result type";
    private static final PgError SKIPPED = PgError.error(SqlState.PROTOCOL_VIOLATION,
            "pgmux: skipped by the server after an earlier error in the same extended-protocol batch");

    private void forwardOrDrop(ByteBuf frame) {
        if (link != null) {
            link.serverMessage(frame);
        } else {
            frame.release();
        }
    }

    void readComplete() {
        if (link != null) {
            link.serverReadComplete();
        }
    }

    void writabilityChanged() {
        if (link != null) {
            link.serverWritabilityChanged(channel.isWritable());
        }
    }

    /** Reports a failed connect or login once, then closes. */
    void loginFailed(PgError error, boolean retryable) {
        login = null;
        if (!loginFailureReported) {
            loginFailureReported = true;
            closeReason = error;
            slot.loginFailed(this, error, retryable);
        }
        close();
    }

    /** server_connect_timeout has passed since the connect began: give up if the login has not finished. */
    void loginTimedOut(int timeoutMillis) {
        if (isLoggingIn() && !loginFailureReported) {
            loginFailed(PgError.fatal(SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, "the database at "
                    + target.address() + " did not complete the login within server_connect_timeout ("
                    + timeoutMillis + " ms)"), true);
        }
    }

    boolean isLoggingIn() {
        return slot.state().isOpening();
    }

    /**
     * Called once a move to another event loop has failed because the channel closed meanwhile: a channel
     * closed while registered with no loop gets no channelInactive from Netty, so without this the pool would
     * count the server as lent for good. Does nothing when the close was seen already.
     */
    public void closedWhileMoving() {
        if (slot.state() != ServerState.CLOSED && channel != null && !channel.isActive()) {
            channelClosed(PgError.fatal(SqlState.CONNECTION_FAILURE, "server connection to " + target.address()
                    + " closed while it moved to its client's event loop"));
        }
    }

    void channelClosed(PgError reason) {
        if (isLoggingIn() && !loginFailureReported) {
            loginFailed(reason, true);
        }
        if (reason != null && closeReason == null) {
            closeReason = reason;
        }
        ServerLink lost = link;
        link = null;
        while (!queue.isEmpty()) {
            if (queue.peek() == ResponseQueue.INTERNAL_QUERY) {
                queue.poll();
            } else {
                complete(false);
            }
        }
        if (lost != null) {
            lost.serverLost(fatalForwarded ? null : closeReason);
        }
        slot.closed(this, closeReason);
    }

    // ---- used by the linked client, on the shared event loop -----------------------------------------------

    public void link(ServerLink newLink) {
        if (link != null) {
            throw new IllegalStateException("server " + id + " is already linked");
        }
        link = newLink;
        fatalForwarded = false;
    }

    public void unlink() {
        link = null;
        // Reading may have been paused for a slow client; the next client must find the server reading.
        if (channel != null) {
            channel.config().setAutoRead(true);
        }
    }

    public boolean isLinked() {
        return link != null;
    }

    /** Writes a client's message to the backend, noting what it will answer. The caller flushes. */
    public void sendFromClient(ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        switch (tag) {
            case FrontendTag.QUERY:
                // A simple Query drops the backend's unnamed statement.
                prepared.dropUnnamed();
                queue.add(simpleRequest(ResponseQueue.QUERY));
                break;
            case FrontendTag.FUNCTION_CALL:
                queue.add(simpleRequest(ResponseQueue.QUERY));
                break;
            case FrontendTag.SYNC:
                // In COPY FROM STDIN the backend ignores Sync: no ReadyForQuery will answer it.
                if (!copyIn) {
                    queue.add(ResponseQueue.SYNC);
                    batch = ExtendedBatch.NONE;
                }
                break;
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
                queue.add(ResponseQueue.EXTENDED);
                openBatch();
                break;
            case FrontendTag.COPY_DONE:
            case FrontendTag.COPY_FAIL:
                copyIn = false;
                break;
            default:
                break;
        }
        channel.write(frame, channel.voidPromise());
    }

    /**
     * What a simple Query or FunctionCall of {@code kind} is queued as. It ends an extended-protocol batch before
     * it, as a Sync would; but a backend skipping to Sync ignores it, so it is then answered by nothing and fails
     * with the rest of the batch.
     */
    private byte simpleRequest(byte kind) {
        if (batch == ExtendedBatch.FAILED) {
            return kind == ResponseQueue.QUERY_TRACKED ? ResponseQueue.EXTENDED_TRACKED : ResponseQueue.EXTENDED;
        }
        batch = ExtendedBatch.NONE;
        return kind;
    }

    private void openBatch() {
        if (batch == ExtendedBatch.NONE) {
            batch = ExtendedBatch.OPEN;
        }
    }

    /** Sends a client's extended-protocol message whose success pgmux must learn (a Parse it renamed). */
    public void sendTracked(ByteBuf frame, Outcome outcome) {
        queue.add(ResponseQueue.EXTENDED_TRACKED, outcome);
        openBatch();
        channel.write(frame, channel.voidPromise());
    }

    /** Sends a client's Query whose success pgmux must learn (DEALLOCATE, DISCARD ALL, SET). */
    public void sendTrackedQuery(ByteBuf frame, Outcome outcome) {
        prepared.dropUnnamed();
        queue.add(simpleRequest(ResponseQueue.QUERY_TRACKED), outcome);
        channel.write(frame, channel.voidPromise());
    }

    /** Slips in a Parse or Close of pgmux's own ahead of a client's message; its answer is swallowed. */
    public void inject(ByteBuf frame, Outcome outcome) {
        queue.add(ResponseQueue.INJECTED, outcome);
        openBatch();
        channel.write(frame, channel.voidPromise());
    }

    /**
     * Refuses a client's extended-protocol message with pgmux's own {@code error} (an unknown or duplicate
     * statement name). PostgreSQL would fail the message, roll back the implicit transaction or fail the
     * transaction block, and skip to Sync: {@code standIn}, a message certain to fail on the backend, makes it do
     * exactly that in the message's place; its error is swallowed and {@code error} goes to the client.
     */
    public void refuse(ByteBuf standIn, ByteBuf error) {
        queue.add(ResponseQueue.REFUSED, error);
        openBatch();
        channel.write(standIn, channel.voidPromise());
    }

    /**
     * Sends a statement of pgmux's own as a simple Query. Its responses never reach the client; {@code onDone}
     * gets the first error, or null, once the backend is ready again.
     */
    public void sendInternalQuery(String sql, Consumer<PgError> onDone) {
        sendInternalQuery(sql, null, onDone);
    }

    /**
     * Sends a statement of pgmux's own as a simple Query, as {@link #sendInternalQuery(String, Consumer)}, handing
     * each DataRow it returns (text columns, null for NULL) to {@code onRow} before {@code onDone}.
     *
     * @throws IllegalStateException while the backend skips to Sync after an error (it would ignore the Query)
     */
    public void sendInternalQuery(String sql, Consumer<List<String>> onRow, Consumer<PgError> onDone) {
        if (batch == ExtendedBatch.FAILED) {
            throw new IllegalStateException("server " + id + ": a query of pgmux's own while the backend skips to Sync");
        }
        batch = ExtendedBatch.NONE;
        prepared.dropUnnamed();
        queue.add(ResponseQueue.INTERNAL_QUERY, new PendingRequest.Internal(onRow, onDone));
        channel.write(Query.encode(channel.alloc(), sql), channel.voidPromise());
    }

    /** The backend is in COPY FROM STDIN: it waits for CopyData, CopyDone or CopyFail and nothing else. */
    public boolean isCopyIn() {
        return copyIn;
    }

    /**
     * Ends a COPY FROM STDIN whose client is gone: CopyFail makes the backend fail the COPY (its transaction
     * block, if any, then fails too), and a Sync brings it back to ReadyForQuery even when the COPY was started
     * by Execute, where the failure makes the backend skip to Sync. The answers go nowhere: the server is
     * unlinked. The caller flushes.
     */
    public void failCopy(String reason) {
        if (!copyIn) {
            throw new IllegalStateException("server " + id + " is not in COPY FROM STDIN");
        }
        sendFromClient(CopyFail.encode(channel.alloc(), reason));
        sendFromClient(Sync.encode(channel.alloc()));
    }

    /** The statements prepared on this server, by pgmux's names. */
    public PreparedOnServer prepared() {
        return prepared;
    }

    /** After DISCARD ALL: nothing pgmux prepared or set on this backend remains. */
    public void forgetSessionState() {
        prepared.clear();
        extraSettings.clear();
    }

    /**
     * After RESET ALL: the unreported settings pgmux made are back at their defaults, except role and
     * session_authorization, which RESET ALL leaves as they are (PostgreSQL docs: RESET).
     */
    public void forgetSettings() {
        extraSettings.keySet().removeIf(name -> !name.equals("role") && !name.equals("session_authorization"));
    }

    /** Records that an unreported parameter was set (or reset, with a null value) by pgmux. */
    public void recordExtraSetting(String lowerCaseName, String value) {
        if (value == null) {
            extraSettings.remove(lowerCaseName);
        } else {
            extraSettings.put(lowerCaseName, value);
        }
    }

    public void flush() {
        channel.flush();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    public void setAutoRead(boolean autoRead) {
        channel.config().setAutoRead(autoRead);
    }

    /** Nothing outstanding, no extended-protocol batch waiting for its Sync, and the backend reported idle. */
    public boolean isAtBoundary() {
        return isQuiet() && transactionStatus == TransactionStatus.IDLE;
    }

    /** No request awaits an answer and the backend needs no Sync, though a transaction may be open. */
    public boolean isQuiet() {
        return queue.isEmpty() && batch == ExtendedBatch.NONE && !copyIn;
    }

    public TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    /**
     * Closes a server in the middle of a request: the backend would otherwise run the request to its end (it
     * reads the socket only between requests), holding a slot pgmux already counts as free.
     */
    public void cancelAndClose(ServerConnector connector) {
        if (backendKey != null && channel != null && channel.isActive()) {
            connector.cancel(channel.eventLoop(), target, backendKey, outcome -> { });
        }
        close();
    }

    /** Closes the connection, telling the backend goodbye first when the socket is still up. */
    public void close() {
        if (channel == null) {
            return;
        }
        if (channel.isActive()) {
            // The backend closes the socket once it has read Terminate and exited; waiting for that, rather than
            // closing first, means a slot is counted free only when the database has really freed it.
            channel.writeAndFlush(Terminate.encode(channel.alloc()));
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, 2, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            channel.close();
        }
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "server " + id + " (" + target + ", " + slot.state() + ")";
    }
}
