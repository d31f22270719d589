package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.pgmux.codec.CarryRefusedException;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.Timeouts;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.SqlState;
import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.protocol.backend.ErrorResponse;
import io.pgmux.protocol.frontend.StartupPacket;
import io.pgmux.session.UnsupportedRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application connection, from accept to close: its {@link ClientState} (changed only by
 * {@link #transition}), what it holds for its whole life (the admission slots, the cancel key, the login
 * timeout), and the phase serving it now: the {@link LoginFlow}, then a {@link PooledSession} or the
 * {@link ConsolePhase}. Every way out goes through {@link #close}. Confined to its channel's event loop.
 */
public final class ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final Channel channel;
    private final ClientServices services;
    private final Admission admission = new Admission();
    private final LoginTimeout loginTimeout = new LoginTimeout();
    /*
     * Plain, not volatile: it changes on every transaction (IDLE, WAITING, ACTIVE) and only this channel's event
     * loop reads it; SHOW CLIENTS reads it there too (ClientInfo, made by a task on this loop).
     */
    private ClientState state = ClientState.STARTUP;
    private ClientPhase phase;
    private String user;
    private String database;
    private BackendKeyData cancelKey;

    private final long connectedAtMillis = System.currentTimeMillis();

    ClientConnection(Channel channel, ClientServices services) {
        this.channel = channel;
        this.services = services;
        // Not kept beside the phase: what the login held (the StartupMessage, the password exchange) goes with it.
        this.phase = new LoginFlow(this, services);
    }

    public ClientState state() {
        return state;
    }

    /** The TLS version and cipher of this connection (SHOW CLIENTS' tls column); empty without TLS. */
    public java.util.Optional<io.pgmux.tls.TlsSessionInfo> tls() {
        return io.pgmux.tls.TlsSessionInfo.of(channel);
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    Channel channel() {
        return channel;
    }

    ClientServices services() {
        return services;
    }

    /** The one place the client's state changes. */
    void transition(ClientState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("client " + describe() + ": illegal transition " + state + " -> " + next);
        }
        if (state.isLoggingIn() && !next.isLoggingIn()) {
            services.loginsChanged(-1); // counted in by connected(), the first thing a connection does
        }
        state = next;
    }

    /** The phase that serves the client from now on. */
    void enter(ClientPhase next) {
        phase = next;
    }

    String user() {
        return user;
    }

    String database() {
        return database;
    }

    /** The user and database of the StartupMessage (the database defaulting to the user, as in PostgreSQL). */
    void named(String user, String database) {
        // Interned: the clients of a pool share one user and database, and each idle client keeps them.
        this.user = user.intern();
        this.database = database.intern();
    }

    Admission admission() {
        return admission;
    }

    BackendKeyData cancelKey() {
        return cancelKey;
    }

    /** Hands out the key this client's CancelRequests will quote; once, after authentication. */
    void registerForCancel() {
        cancelKey = services.cancels().register(this);
    }

    /** The client was greeted: client_login_timeout no longer applies. */
    void loggedIn() {
        loginTimeout.cancel();
        if (services.config().log().logConnections()) {
            log.info("login: user={} database={} from {}{}", user, database, channel.remoteAddress(),
                    tls().map(t -> " over " + t).orElse(""));
        }
    }

    // ---- events from the channel -----------------------------------------------------------------------------

    void connected() {
        services.loginsChanged(1);
        loginTimeout.start(channel.eventLoop(), services.config().timeouts().clientLoginTimeout(), () -> {
            if (state == ClientState.STARTUP || state == ClientState.AUTHENTICATING) {
                fail(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "pgmux: client did not finish logging in within "
                        + "client_login_timeout"));
            }
        });
    }

    void startupPacket(StartupPacket packet) {
        phase.startupPacket(packet);
    }

    void frameReceived(ByteBuf frame) {
        if (state == ClientState.CLOSED) {
            frame.release();
            return;
        }
        phase.frameReceived(frame);
    }

    MessageRouter.Route route(byte tag, int length) {
        return state == ClientState.CLOSED ? MessageRouter.Route.TAKE : phase.route(tag, length);
    }

    MessageRouter.Route inspect(ByteBuf frame) {
        return state == ClientState.CLOSED ? MessageRouter.Route.TAKE : phase.inspect(frame);
    }

    /** Closed meanwhile (by the run before the message): the whole message goes on in a run, which is dropped. */
    int replaceHead(ByteBuf frame) {
        return state == ClientState.CLOSED ? frame.readerIndex() : phase.replaceHead(frame);
    }

    void run(ByteBuf bytes) {
        if (state == ClientState.CLOSED) {
            bytes.release();
            return;
        }
        phase.run(bytes);
    }

    void readComplete() {
        phase.readComplete();
    }

    void writabilityChanged() {
        phase.writabilityChanged();
    }

    /** A CancelRequest quoted this client's key; callable from any thread. */
    void cancelRequested() {
        channel.eventLoop().execute(() -> {
            if (state != ClientState.CLOSED) {
                phase.cancelRequested();
            }
        });
    }

    /** client_idle_timeout, idle_transaction_timeout and query_timeout; on the client's own loop. */
    void checkTimeouts(long nowNanos, Timeouts timeouts) {
        if (state != ClientState.CLOSED) {
            phase.checkTimeouts(nowNanos, timeouts);
        }
    }

    // ---- the console and shutdown ------------------------------------------------------------------------------

    /**
     * What SHOW CLIENTS shows of this client. Its session's part (linked server, prepared statements, last request)
     * is current only on the client's event loop, where the console reads it; id, user and database may be read
     * anywhere.
     */
    public ClientInfo info() {
        ClientInfo.Session session = phase.describeSession();
        return new ClientInfo(cancelKey == null ? 0 : cancelKey.processId(), user, database, state,
                channel.remoteAddress(), channel.localAddress(), connectedAtMillis, session.lastRequestNanos(),
                session.server(), session.applicationName(), session.preparedStatements(), session.pinReason(),
                tls().map(Object::toString).orElse(""), session.heldStatements());
    }

    /** KILL and shutdown: the client gets {@code error} as its last message and is closed, on its event loop. */
    public void terminate(PgError error) {
        channel.eventLoop().execute(() -> fail(error));
    }

    /**
     * Graceful shutdown: tells the client, on its event loop, that the drain began; it leaves with
     * {@link DrainState#ADMIN_SHUTDOWN} now if it is between transactions, else the moment its transaction ends
     * (see {@link ClientPhase#drainStarted}).
     */
    public void drainStarted() {
        channel.eventLoop().execute(() -> {
            if (state != ClientState.CLOSED) {
                phase.drainStarted();
            }
        });
    }

    // ---- leaving -----------------------------------------------------------------------------------------------

    /**
     * Ends this client for an exception thrown while serving it, whichever path it came from (its own channel,
     * or the pool handing it a server): a FATAL error for this client alone, never for a server.
     */
    void failed(Throwable cause) {
        if (cause instanceof UnsupportedRequestException) {
            fail(((UnsupportedRequestException) cause).error().withSeverity(PgError.FATAL));
        } else if (cause instanceof ProtocolException) {
            log.info("client {}: protocol violation: {}", describe(), cause.getMessage());
            if (state != ClientState.CLOSED) {
                phase.protocolViolation();
            }
            fail(((ProtocolException) cause).error("invalid frontend message: "));
        } else if (cause instanceof CarryRefusedException) {
            log.info("client {}: {}", describe(), cause.getMessage());
            fail(PgError.fatal(SqlState.OUT_OF_MEMORY, cause.getMessage()));
        } else if (cause instanceof OutOfMemoryError) {
            // A buffer for this client could not be had (direct memory exhausted): PostgreSQL's answer to a
            // failed allocation is 53200 "out of memory"; the process goes on serving the others. The JVM's text
            // (its sizes and limits, the process's own memory) is for the operator's log, not for the client.
            log.warn("client {}: out of memory: {}", describe(), cause.toString());
            fail(outOfMemory());
        } else if (cause instanceof java.io.IOException) {
            log.debug("client {}: {}", describe(), cause.toString());
            close(null, "the connection was lost: " + cause.getMessage());
        } else {
            log.warn("client {}: internal error", describe(), cause);
            fail(PgError.fatal(SqlState.INTERNAL_ERROR, "pgmux internal error: " + cause));
        }
    }

    /**
     * What a client is told when a buffer for it cannot be had: PostgreSQL's words for a failed allocation
     * (errcodes.txt 53200 out_of_memory, "out of memory"), with what failed and what to do.
     */
    private static PgError outOfMemory() {
        return PgError.fatal(SqlState.OUT_OF_MEMORY, "out of memory")
                .withDetail("Failed on request of a buffer for this client's data: pgmux's memory for buffers is"
                        + " exhausted.")
                .withHint("Retry later. If it recurs, the pgmux operator should raise its direct memory"
                        + " (-XX:MaxDirectMemorySize) or lower max_message_size.");
    }

    /**
     * Sends the error (if any) as the client's last message and closes. A client that holds part of a forwarded
     * message is closed without it, as PostgreSQL ends a backend whose message to the client is half sent (it
     * drops its FATAL then, to keep the protocol in sync: postgres.c, ProcessClientWriteInterrupt): the error's
     * bytes would be read as the rest of that message.
     */
    void fail(PgError error) {
        fail(error, null);
    }

    /**
     * As {@link #fail(PgError)}; {@code logDetail}, when not null, goes to the pooler-error log line only (why a login
     * failed, which the client is not told, as PostgreSQL logs a DETAIL it does not send).
     */
    void fail(PgError error, String logDetail) {
        if (state == ClientState.CLOSED) {
            return;
        }
        String unsaid = error != null && phase.insideForwardedMessage() ? "it was inside a message" : null;
        if (error != null && channel.isActive() && unsaid == null) {
            try {
                channel.writeAndFlush(ErrorResponse.encode(channel.alloc(), error))
                        .addListener(ChannelFutureListener.CLOSE);
            } catch (OutOfMemoryError e) {
                // Not even the error's few bytes could be had (direct memory exhausted): the client is closed
                // without it rather than left open.
                unsaid = "no buffer for it: " + e.getMessage();
            }
        }
        if (error != null && services.config().log().logPoolerErrors()) {
            log.info("pooler error to {}{}: {} {}{}", describe(), unsaid != null ? " (not sent: " + unsaid + ")" : "",
                    error.sqlState(), error.message(), logDetail == null ? "" : " (" + logDetail + ")");
        }
        close(error);
        if (unsaid != null) {
            channel.close();
        }
    }

    /**
     * Leaves: the phase gives back what it holds, then the cancel key and the admission; the channel closes.
     * {@code reason}, the error the client was sent, or null when it was sent none (its connection closed).
     */
    void close(PgError reason) {
        close(reason, "the connection closed without a Terminate");
    }

    /** The client sent Terminate, and what it sent before it is answered: it leaves as it asked. */
    void terminated() {
        close(null, "the client sent Terminate");
    }

    /** @param why what the disconnection log line says when there is no {@code reason} */
    private void close(PgError reason, String why) {
        if (state == ClientState.CLOSED) {
            return;
        }
        ClientState was = state;
        transition(ClientState.CLOSED);
        if (was != ClientState.STARTUP && was != ClientState.AUTHENTICATING
                && services.config().log().logDisconnections()) {
            log.info("closing: {} after {} s: {}", describe(), (System.currentTimeMillis() - connectedAtMillis) / 1000,
                    reason == null ? why : reason.message());
        }
        loginTimeout.cancel();
        phase.left(was);
        if (cancelKey != null) {
            services.cancels().unregister(cancelKey);
        }
        admission.release();
        if (reason == null || !channel.isActive()) {
            channel.close();
        }
    }

    /** The channel closed under us. */
    void channelClosed() {
        close(null);
    }

    String describe() {
        return (user == null ? "?" : user) + "@" + (database == null ? "?" : database) + " from "
                + channel.remoteAddress();
    }
}
