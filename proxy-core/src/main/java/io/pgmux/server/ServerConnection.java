package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.codec.AutoRead;
import io.pgmux.codec.MessageFramer;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.frontend.CopyFail;
import io.pgmux.protocol.frontend.Sync;
import io.pgmux.protocol.frontend.Terminate;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One connection from pgmux to PostgreSQL. It is confined to the event loop its channel is registered on; while
 * linked, that is the client's loop, so the pair never needs a lock.
 *
 * <p>It logs in ({@link ServerLogin}), then forwards bytes both ways: requests through its {@link RequestWriter},
 * answers through its {@link ResponseRouter}, which passes most of them to the linked client as runs of bytes and
 * reads only what transaction pooling needs. Where the backend stands is its {@link Conversation}.
 */
public final class ServerConnection {
    private final long id;
    private final UpstreamTarget target;
    private final ServerSlot slot;
    private final PreparedOnServer prepared;
    private final ServerSettings settings = new ServerSettings();
    private final Conversation conversation;
    private final RequestWriter requests;
    private final ResponseRouter responses;
    private Channel channel;
    private ServerLogin login;
    private BackendKeyData backendKey;
    private ServerLink link;
    private PgError closeReason;
    /** The client that received the backend's FATAL error, which therefore needs no second one. */
    private ServerLink toldOfFatal;

    /** @param slot the owner's record of this connection, which hears its events and holds its state */
    public ServerConnection(long id, UpstreamTarget target, ServerSlot slot, int maxPreparedStatements) {
        this.prepared = new PreparedOnServer(maxPreparedStatements);
        this.id = id;
        this.target = target;
        this.slot = slot;
        this.conversation = new Conversation(id);
        this.requests = new RequestWriter(id, conversation, prepared, this::hangUp);
        this.responses = new ResponseRouter(this, conversation);
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
        return settings.reported();
    }

    /**
     * The value the backend last reported for the tracked parameter in {@code slot} ({@link TrackedParameters}), or
     * null: the same as {@code reportedParameters().get(TrackedParameters.NAMES.get(slot))}, without the lookup.
     */
    public String reportedTracked(int slot) {
        return settings.tracked(slot);
    }

    public Map<String, String> extraSettings() {
        return settings.extra();
    }

    /** The welcome parameters with their canonical names, as the backend sent them at login. */
    public Map<String, String> welcomeParameters() {
        return settings.welcome();
    }

    ServerSettings settings() {
        return settings;
    }

    ServerLink link() {
        return link;
    }

    /**
     * @param work    where the login's key derivation runs, off the event loop
     * @param handled runs a step of the login on the event loop as a backend message is handled (its
     *                {@link LoginFailedException} ends the login the same way)
     */
    void channelActive(Channel newChannel, java.util.concurrent.Executor work,
                       java.util.function.Consumer<Runnable> handled) {
        attachChannel(newChannel);
        slot.connected(this); // once more when libpq's sslmode steps make a second attempt: no change then
        login = new ServerLogin(target, io.pgmux.tls.ServerEndPoint.ofPeer(newChannel), work, newChannel, step -> {
            if (channel == newChannel && login != null) {
                handled.accept(() -> loginStep(step));
            }
        });
        newChannel.writeAndFlush(login.startupMessage(newChannel.alloc()), newChannel.voidPromise());
    }

    void attachChannel(Channel newChannel) {
        channel = newChannel;
        requests.attach(newChannel);
    }

    /** The router of a logged-in backend's answers (its framer hands it runs and whole messages). */
    ResponseRouter responses() {
        return responses;
    }

    /** A whole message from the backend: the login's, or, where no framer forwards runs, any answer. */
    void frameReceived(ByteBuf frame) {
        if (conversation.phase() == ProtocolPhase.LOGIN) {
            loginFrame(frame);
        } else {
            responses.message(frame);
        }
    }

    private void loginFrame(ByteBuf frame) {
        try {
            loginStep(() -> login.handle(frame, channel.alloc(),
                    msg -> channel.writeAndFlush(msg, channel.voidPromise())));
        } finally {
            frame.release();
        }
    }

    /** One step of the login: a backend message handled, or the answer of a key derivation sent. */
    private void loginStep(java.util.function.BooleanSupplier step) {
        if (step.getAsBoolean()) {
            backendKey = login.backendKey();
            settings.welcome(login.parameters());
            login = null;
            conversation.moveTo(ProtocolPhase.READY);
            MessageFramer framer = channel.pipeline().get(MessageFramer.class);
            ServerHandler handler = channel.pipeline().get(ServerHandler.class);
            if (framer != null && handler != null) {
                // From the next message on, answers pass through as runs of bytes.
                framer.forwardRuns(handler);
            }
            slot.loginSucceeded(this);
        }
    }

    /** For tests of the code around it: a connection on a channel the test made, as if its login had finished. */
    void assumeLoggedIn() {
        conversation.moveTo(ProtocolPhase.READY);
    }

    /** The backend reported a FATAL error: it closes next. A linked client received it with the answers. */
    void fatalReceived(PgError error) {
        closeReason = error;
        toldOfFatal = link;
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
        if (conversation.phase() == ProtocolPhase.LOGIN) {
            conversation.moveTo(ProtocolPhase.LOGIN_FAILED);
            closeReason = error;
            slot.loginFailed(this, error, retryable);
        }
        close();
    }

    /** server_connect_timeout has passed since the connect began: give up if the login has not finished. */
    void loginTimedOut(int timeoutMillis) {
        if (isLoggingIn() && conversation.phase() == ProtocolPhase.LOGIN) {
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
        channelClosed(reason, false);
    }

    /**
     * @param midMessage the backend hung up in the middle of a message whose first part the linked client already
     *                   received: an ErrorResponse now would land inside that message, so the client is closed
     *                   without one, as it would see a direct connection to PostgreSQL end
     */
    void channelClosed(PgError reason, boolean midMessage) {
        if (isLoggingIn() && conversation.phase() == ProtocolPhase.LOGIN) {
            loginFailed(reason, true);
        }
        if (reason != null && closeReason == null) {
            closeReason = reason;
        }
        ServerLink lost = link;
        link = null;
        // After the client's own Terminate the close is the end the client asked for.
        boolean asked = conversation.phase() == ProtocolPhase.TERMINATING;
        responses.serverGone();
        if (lost != null) {
            lost.serverLost(lost == toldOfFatal || midMessage || asked ? null : closeReason);
        }
        slot.closed(this, closeReason);
    }

    public void link(ServerLink newLink) {
        if (link != null) {
            throw new IllegalStateException("server " + id + " is already linked");
        }
        link = newLink;
    }

    public void unlink() {
        link = null;
        // Reading may have been paused for a slow client; the next client must find the server reading.
        if (channel != null) {
            AutoRead.set(channel, true);
        }
    }

    /** Writes a client's message to the backend, noting what it will answer. The caller flushes. */
    public void sendFromClient(ByteBuf frame) {
        requests.fromClient(frame);
    }

    /**
     * Notes what a client's message of type {@code tag} will be answered by, for a message that goes out inside a
     * run of client bytes ({@link #sendClientRun}).
     */
    public void noteFromClient(byte tag) {
        requests.noteFromClient(tag);
    }

    /** Writes client bytes whose messages were each noted ({@link #noteFromClient}). The caller flushes. */
    public void sendClientRun(ByteBuf bytes) {
        requests.clientRun(bytes);
    }

    /**
     * {@link #noteFromClient} for a client's extended-protocol message whose success pgmux must learn (an unnamed
     * Parse), going out inside a run of client bytes.
     */
    public void noteTrackedFromClient(Outcome outcome) {
        requests.noteTracked(outcome);
    }

    /** Sends a client's extended-protocol message whose success pgmux must learn (a Parse it renamed). */
    public void sendTracked(ByteBuf frame, Outcome outcome) {
        requests.tracked(frame, outcome);
    }

    /** Sends a client's Query whose success pgmux must learn (DEALLOCATE, DISCARD ALL, SET). */
    public void sendTrackedQuery(ByteBuf frame, Outcome outcome) {
        requests.trackedQuery(frame, outcome);
    }

    /** Slips in a Parse or Close of pgmux's own ahead of a client's message; its answer is swallowed. */
    public void inject(ByteBuf frame, Outcome outcome) {
        requests.inject(frame, outcome);
    }

    /**
     * Refuses a client's extended-protocol message with pgmux's own {@code error} (an unknown or duplicate
     * statement name): {@code standIn}, certain to fail on the backend, makes it fail and skip to Sync as
     * PostgreSQL would have for the client's message; its error is swallowed and {@code error} goes to the client.
     */
    public void refuse(ByteBuf standIn, ByteBuf error) {
        requests.refuse(standIn, error);
    }

    /**
     * Refuses a client's simple request (Query, FunctionCall) with pgmux's own {@code error}: {@code standIn}, a
     * Query certain to fail on the backend, fails as the client's request would have (a transaction block it
     * runs in fails too); its error is swallowed, {@code error} goes to the client, then the backend's
     * ReadyForQuery.
     */
    public void refuseSimple(ByteBuf standIn, ByteBuf error) {
        requests.refuseSimple(standIn, error);
    }

    /**
     * Answers a client's simple request itself, in its place in the pipeline: an empty Query stands in for it, and
     * at its ReadyForQuery {@code answer} gives what the client gets for the transaction status then.
     */
    public void answerSimple(LocalAnswer answer) {
        requests.answerSimple(answer);
    }

    /** A statement of pgmux's own, as {@link #sendInternalQuery(String, Consumer, Consumer)} without rows. */
    public void sendInternalQuery(String sql, Consumer<PgError> onDone) {
        sendInternalQuery(sql, null, onDone);
    }

    /**
     * Sends a statement of pgmux's own as a simple Query. Its answers never reach the client: each DataRow (text
     * columns, null for NULL) goes to {@code onRow}, then {@code onDone} gets the first error, or null.
     *
     * @throws IllegalStateException while the backend skips to Sync after an error (it would ignore the Query)
     */
    public void sendInternalQuery(String sql, Consumer<List<String>> onRow, Consumer<PgError> onDone) {
        requests.internalQuery(sql, onRow, onDone);
    }

    /** The backend is in COPY FROM STDIN: it waits for CopyData, CopyDone or CopyFail and nothing else. */
    public boolean isCopyIn() {
        return conversation.phase().isCopyIn();
    }

    /**
     * Ends a COPY FROM STDIN whose client is gone: CopyFail fails the COPY (and its transaction block), a Sync
     * brings the backend back to ReadyForQuery even after an Execute. The answers go nowhere. The caller flushes.
     */
    public void failCopy(String reason) {
        if (!isCopyIn()) {
            throw new IllegalStateException("server " + id + " is not in COPY FROM STDIN");
        }
        sendFromClient(CopyFail.encode(channel.alloc(), reason));
        sendFromClient(Sync.encode(channel.alloc()));
    }

    /**
     * Passes the linked client's Terminate on to the backend, for a client that left while the backend still had
     * requests of its to answer that no ReadyForQuery would end (an extended-protocol batch with no Sync, a COPY FROM
     * STDIN). PostgreSQL reads a Terminate only after what came before it: it sends what it would have sent the
     * client by then (the answers a Flush asked for, an error, a CopyInResponse; in COPY FROM STDIN its protocol
     * error) and exits, aborting any implicit transaction. Its answers reach the client as any answers do; the
     * backend's close ends the client's connection, with no error of pgmux's ({@link ServerLink#serverLost} gets
     * null). The caller flushes.
     *
     * @throws IllegalStateException when the backend is no longer sent anything (Terminate passed, or given up)
     */
    public void passTerminate() {
        ProtocolPhase phase = conversation.phase();
        if (phase == ProtocolPhase.TERMINATING || phase == ProtocolPhase.ABANDONED) {
            throw new IllegalStateException("server " + id + " takes no Terminate in phase " + phase);
        }
        sendFromClient(Terminate.encode(channel.alloc()));
    }

    /** The statements prepared on this server, by pgmux's names. */
    public PreparedOnServer prepared() {
        return prepared;
    }

    /** After DISCARD ALL: nothing pgmux prepared or set on this backend remains. */
    public void forgetSessionState() {
        prepared.clear();
        settings.forgetExtra();
    }

    /** After RESET ALL: see {@link ServerSettings#forgetResettable}. */
    public void forgetSettings() {
        settings.forgetResettable();
    }

    /**
     * pgmux knows this backend's settings: it has just set or read them back. Reports of session parameters until
     * now are explained.
     */
    public void settingsKnown() {
        settings.settingsKnown();
    }

    /**
     * Whether a reported session parameter pgmux does not track (session_authorization, is_superuser ...) has
     * changed since pgmux last knew this backend's settings, by a route pgmux did not see. Counts as known from now
     * on: the caller reads the settings back.
     */
    public boolean takeUnexplainedReports() {
        return settings.takeUnexplainedReports();
    }

    /** Records that an unreported parameter was set (or reset, with a null value) by pgmux. */
    public void recordExtraSetting(String lowerCaseName, String value) {
        settings.recordExtra(lowerCaseName, value);
    }

    public void flush() {
        channel.flush();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    public void setAutoRead(boolean autoRead) {
        AutoRead.set(channel, autoRead);
    }

    /** Nothing outstanding, no extended-protocol batch waiting for its Sync, and the backend reported idle. */
    public boolean isAtBoundary() {
        return isQuiet() && conversation.transactionStatus() == TransactionStatus.IDLE;
    }

    /** No request awaits an answer and the backend needs no Sync, though a transaction may be open. */
    public boolean isQuiet() {
        return conversation.isQuiet();
    }

    /**
     * Whether a request of the client's still waits for the ReadyForQuery that ends it: a simple Query,
     * FunctionCall or Sync sent and not yet answered (pgmux's own queries aside), or a Sync sent into a failed COPY
     * that the backend may still answer, once nothing it could skip is open (the answers then say soon whether it
     * does). A server that is not quiet and owes none has an extended-protocol batch open that only a Sync would end
     * (protocol docs, "Extended Query").
     */
    public boolean owesClientReadyForQuery() {
        return conversation.queue.clientAwaitsReadyForQuery()
                || conversation.queue.unsureSyncs() > 0 && conversation.phase() == ProtocolPhase.READY;
    }

    /**
     * Asks the backend, with an empty Query of pgmux's own, whether it still owes ReadyForQuery messages to Syncs
     * sent into a COPY that failed, when nothing else will tell and nothing stands in the way (see
     * {@link ResponseRouter#askWhetherSyncsAnswered}); does nothing otherwise. For the client side, once a read of
     * the client's has completed a message that was passing in parts.
     */
    public void askWhetherSyncsAnswered() {
        responses.askWhetherSyncsAnswered();
    }

    /**
     * Whether an extended-protocol batch is open on the backend with no Sync sent behind it (possibly skipping after
     * an error, or in a COPY begun by Execute): nothing but a Sync, or a Terminate, ends it (protocol docs, "Extended
     * Query"), and what the backend has sent of its answers by then depends on its flushes.
     */
    public boolean awaitsSync() {
        return conversation.phase().awaitsSync();
    }

    /**
     * Whether the backend will run a simple Query sent now unless an extended-protocol request before it fails: it
     * is not known to skip to a Sync after an error, nor in COPY FROM STDIN. Its answer, or the error that makes it
     * skipped, then comes without a Sync behind it.
     */
    public boolean runsQueryUnlessABatchFails() {
        ProtocolPhase phase = conversation.phase();
        return phase == ProtocolPhase.READY || phase == ProtocolPhase.EXTENDED;
    }

    /**
     * Whether a simple Query sent now is sure to be read and answered by the backend: no extended-protocol batch
     * is open, and no extended-protocol request that may still fail is outstanding without a Sync sent behind it
     * (Queries sent since do not end that wait: a backend skipping after the failure skips them too, up to the
     * Sync).
     */
    public boolean answersQueryNow() {
        return !awaitsSync() && !conversation.queue.extendedWithoutSync();
    }

    /**
     * Whether a client's Terminate whose turn has come goes on to the backend now ({@link #passTerminate}): the
     * backend owes answers no ReadyForQuery ends (COPY FROM STDIN, or a batch with no Sync behind it) and none that
     * one ends comes before them. Else the Terminate waits for the ReadyForQuery still owed, or, with nothing owed,
     * the client leaves and the server goes back.
     */
    public boolean passesTerminate() {
        return isCopyIn() || awaitsSync() && !owesClientReadyForQuery();
    }

    public TransactionStatus transactionStatus() {
        return conversation.transactionStatus();
    }

    /**
     * Whether the linked client holds part of an answer: a message of the backend's passes to it in parts (a large
     * DataRow or CopyData spans reads) and the rest has not come, or never will. Nothing of pgmux's own may be
     * written to the client meanwhile: it would be read as the rest of that message.
     */
    public boolean isInsideAnswer() {
        MessageFramer framer = channel == null ? null : channel.pipeline().get(MessageFramer.class);
        return framer != null && framer.inMessage();
    }

    /**
     * Closes a server in the middle of a request: the backend would otherwise run the request to its end (it
     * reads the socket only between requests), holding a slot pgmux already counts as free.
     */
    public void cancelAndClose(ServerConnector connector) {
        cancelRunning(connector);
        close();
    }

    /**
     * Closes a server that holds part of a client's message (a client left inside a CopyData, which passes in
     * parts): the backend waits for the rest and would read a Terminate, or anything else, as its bytes. The socket
     * is closed without a word, as when a client dies; PostgreSQL then rolls back. The cancel ends a request it may
     * be running meanwhile.
     */
    public void cancelAndHangUp(ServerConnector connector) {
        cancelRunning(connector);
        if (channel != null) {
            channel.close();
        }
    }

    private void cancelRunning(ServerConnector connector) {
        if (backendKey != null && channel != null && channel.isActive()) {
            connector.cancel(channel.eventLoop(), target, backendKey, outcome -> { });
        }
    }

    /**
     * Gives up a backend pgmux can no longer follow: the socket is closed without a word, as when a client dies, so
     * PostgreSQL rolls back; the linked client is told {@code reason} as the connection's end.
     */
    void hangUp(PgError reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        conversation.moveTo(ProtocolPhase.ABANDONED);
        if (channel != null) {
            channel.close();
        }
    }

    /** Closes the connection, telling the backend goodbye first when the socket is still up. */
    public void close() {
        if (channel == null) {
            return;
        }
        if (channel.isActive()) {
            // The backend closes the socket once it has read Terminate and exited; waiting for that, rather than
            // closing first, means a slot is counted free only when the database has really freed it.
            if (conversation.phase() != ProtocolPhase.TERMINATING) {
                channel.writeAndFlush(Terminate.encode(channel.alloc()));
            }
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
