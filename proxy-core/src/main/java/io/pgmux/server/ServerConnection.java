package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgmux.protocol.BackendTag;
import io.pgmux.protocol.FrontendTag;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.TransactionStatus;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.backend.ParameterStatus;
import io.pgmux.protocol.backend.ReadyForQuery;
import io.pgmux.protocol.frontend.Query;
import io.pgmux.protocol.frontend.Terminate;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
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
    private final ServerEvents events;
    private final ArrayDeque<PendingRequest> outstanding = new ArrayDeque<>(4);
    /** Reported parameters (lower-case name to value) as the backend last told them. */
    private final Map<String, String> reported = new HashMap<>();
    /** Unreported parameters pgmux set on this backend for a client (lower-case name to value). */
    private final Map<String, String> extraSettings = new HashMap<>();
    private final long createdNanos = System.nanoTime();

    private volatile ServerState state = ServerState.CONNECTING;
    private Channel channel;
    private ServerLogin login;
    private BackendKeyData backendKey;
    private ServerLink link;
    private TransactionStatus transactionStatus = TransactionStatus.IDLE;
    /** Extended-protocol messages were sent since the last Sync: the backend owes responses but no ReadyForQuery. */
    private boolean unsynced;
    /** The backend is in COPY FROM STDIN, where it neither answers Sync nor Flush. */
    private boolean copyIn;
    /** A FATAL error already went to the linked client, which therefore needs no second one. */
    private boolean fatalForwarded;
    private PgError closeReason;
    private long lastUsedNanos = createdNanos;
    private Object poolAttachment;
    private Map<String, String> welcome = Map.of();
    private boolean loginFailureReported;

    public ServerConnection(long id, UpstreamTarget target, ServerEvents events) {
        this.id = id;
        this.target = target;
        this.events = events;
    }

    public long id() {
        return id;
    }

    public UpstreamTarget target() {
        return target;
    }

    public ServerState state() {
        return state;
    }

    /**
     * Moves to {@code next}. Only the pool calls this, under its lock.
     *
     * @throws IllegalStateException for a transition the state machine does not allow
     */
    public void transition(ServerState next) {
        ServerState current = state;
        if (!current.canMoveTo(next)) {
            throw new IllegalStateException("server " + id + ": illegal transition " + current + " -> " + next);
        }
        state = next;
    }

    /** Lets the pool keep its own per-server bookkeeping next to the connection. */
    public Object poolAttachment() {
        return poolAttachment;
    }

    public void poolAttachment(Object attachment) {
        poolAttachment = attachment;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public boolean isUsable() {
        return channel != null && channel.isActive() && state != ServerState.CLOSED;
    }

    public BackendKeyData backendKey() {
        return backendKey;
    }

    public long createdNanos() {
        return createdNanos;
    }

    public long lastUsedNanos() {
        return lastUsedNanos;
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
        events.connected(this);
        login = new ServerLogin(target);
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
            case BackendTag.COPY_IN_RESPONSE:
                copyIn = true;
                route(frame);
                break;
            case BackendTag.COMMAND_COMPLETE:
                copyIn = false;
                route(frame);
                break;
            case BackendTag.NOTICE_RESPONSE:
            case BackendTag.NOTIFICATION_RESPONSE:
                forwardOrDrop(frame);
                break;
            default:
                route(frame);
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
            events.loginSucceeded(this);
        }
    }

    /** The welcome parameters with their canonical names, as the backend sent them at login. */
    public Map<String, String> welcomeParameters() {
        return welcome;
    }

    private void readyForQuery(ByteBuf frame) {
        transactionStatus = ReadyForQuery.status(frame);
        PendingRequest head = outstanding.poll();
        if (head == null) {
            frame.release();
            throw new ProtocolException("server sent ReadyForQuery with nothing outstanding");
        }
        copyIn = false;
        if (head == PendingRequest.FORWARD && link != null) {
            link.serverMessage(frame);
        } else {
            frame.release();
        }
        if (head instanceof PendingRequest.Internal) {
            ((PendingRequest.Internal) head).complete();
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
        PendingRequest head = outstanding.peek();
        PgError error = null;
        if (head instanceof PendingRequest.Internal || link == null || isFatal(frame)) {
            error = ErrorResponse.decode(frame.duplicate().skipBytes(5));
        }
        if (head instanceof PendingRequest.Internal) {
            ((PendingRequest.Internal) head).failed(error);
            frame.release();
            return;
        }
        if (error != null && error.isFatal()) {
            closeReason = error;
            fatalForwarded = link != null;
        }
        if (link == null && error != null) {
            log.info("server {} ({}) reported while not linked: {}", id, target, error);
        }
        forwardOrDrop(frame);
    }

    private static boolean isFatal(ByteBuf frame) {
        // Severity is the first field PostgreSQL writes; checking its first letters avoids decoding every error.
        int i = frame.readerIndex() + 5;
        return frame.writerIndex() > i + 2 && frame.getByte(i) == 'S'
                && (frame.getByte(i + 1) == 'F' || frame.getByte(i + 1) == 'P');
    }

    private void route(ByteBuf frame) {
        if (outstanding.peek() instanceof PendingRequest.Internal) {
            frame.release();
        } else {
            forwardOrDrop(frame);
        }
    }

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
            events.loginFailed(this, error, retryable);
        }
        close();
    }

    boolean isLoggingIn() {
        return state == ServerState.CONNECTING || state == ServerState.LOGIN;
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
        if (lost != null) {
            lost.serverLost(fatalForwarded ? null : closeReason);
        }
        events.closed(this, closeReason);
    }

    // ---- used by the linked client, on the shared event loop -----------------------------------------------

    public void link(ServerLink newLink) {
        if (link != null) {
            throw new IllegalStateException("server " + id + " is already linked");
        }
        link = newLink;
        fatalForwarded = false;
        lastUsedNanos = System.nanoTime();
    }

    public void unlink() {
        link = null;
        lastUsedNanos = System.nanoTime();
    }

    public boolean isLinked() {
        return link != null;
    }

    /** Writes a client's message to the backend, noting what it will answer. The caller flushes. */
    public void sendFromClient(ByteBuf frame) {
        byte tag = frame.getByte(frame.readerIndex());
        switch (tag) {
            case FrontendTag.QUERY:
            case FrontendTag.FUNCTION_CALL:
                outstanding.add(PendingRequest.FORWARD);
                break;
            case FrontendTag.SYNC:
                if (!copyIn) {
                    outstanding.add(PendingRequest.FORWARD);
                }
                unsynced = false;
                break;
            case FrontendTag.PARSE:
            case FrontendTag.BIND:
            case FrontendTag.DESCRIBE:
            case FrontendTag.EXECUTE:
            case FrontendTag.CLOSE:
                unsynced = true;
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
     * Sends a statement of pgmux's own as a simple Query. Its responses never reach the client; {@code onDone}
     * gets the first error, or null, once the backend is ready again.
     */
    public void sendInternalQuery(String sql, Consumer<PgError> onDone) {
        outstanding.add(new PendingRequest.Internal(onDone));
        channel.write(Query.encode(channel.alloc(), sql), channel.voidPromise());
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

    /** Nothing outstanding, no unsynced extended-protocol messages, and the backend reported idle. */
    public boolean isAtBoundary() {
        return outstanding.isEmpty() && !unsynced && !copyIn && transactionStatus == TransactionStatus.IDLE;
    }

    /** No request awaits an answer, though a transaction may be open. */
    public boolean isQuiet() {
        return outstanding.isEmpty() && !unsynced && !copyIn;
    }

    public TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    /** Closes the connection, telling the backend goodbye first when the socket is still up. */
    public void close() {
        if (channel == null) {
            return;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(Terminate.encode(channel.alloc())).addListener(f -> channel.close());
        } else {
            channel.close();
        }
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "server " + id + " (" + target + ", " + state + ")";
    }
}
