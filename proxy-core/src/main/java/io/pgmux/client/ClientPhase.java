package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.codec.MessageRouter;
import io.pgmux.config.Timeouts;
import io.pgmux.protocol.ProtocolException;
import io.pgmux.protocol.frontend.StartupPacket;

/**
 * What serves a client connection in one part of its life: the {@link LoginFlow} until the client is logged in,
 * then a {@link PooledSession} or the {@link ConsolePhase}. The {@link ClientConnection} hands each event to the
 * phase of the moment; its {@link ClientState} says which phase that is. Confined to the client's event loop.
 */
interface ClientPhase {
    /** A StartupMessage or CancelRequest; only the login expects one, and only first. */
    default void startupPacket(StartupPacket packet) {
        throw new ProtocolException("startup packet after the startup phase");
    }

    /** A message from the client as the framer cut it; the phase releases it. */
    void frameReceived(ByteBuf frame);

    /**
     * What becomes of a client message of this type: whether it passes to the server unread inside a run of bytes,
     * is read in place first, or comes whole to {@link #frameReceived} (see {@link MessageRouter#route}); only
     * phases that asked the framer for runs are asked.
     */
    default MessageRouter.Route route(byte tag, int length) {
        return MessageRouter.Route.TAKE;
    }

    /** A message {@link #route} asked to read in place (see {@link MessageRouter#inspect}). */
    default MessageRouter.Route inspect(ByteBuf frame) {
        return MessageRouter.Route.TAKE;
    }

    /** Writes the new beginning of a message {@link #inspect} let pass with one (see {@link MessageRouter#replaceHead}). */
    default int replaceHead(ByteBuf frame) {
        throw new IllegalStateException("no message's head is replaced by " + getClass().getSimpleName());
    }

    /** Client bytes whose messages {@link #route} let through: whole messages, or parts of one; the phase releases them. */
    default void run(ByteBuf bytes) {
        bytes.release();
        throw new IllegalStateException("no message passes through " + getClass().getSimpleName());
    }

    /** The end of a read burst from the client. */
    default void readComplete() {
    }

    /** The client's socket can (or cannot) take more writes. */
    default void writabilityChanged() {
    }

    /** A CancelRequest quoted this client's key; runs on the client's event loop. */
    default void cancelRequested() {
    }

    /** client_idle_timeout, idle_transaction_timeout and query_timeout, checked once a second. */
    default void checkTimeouts(long nowNanos, Timeouts timeouts) {
    }

    /** The client is being closed for a protocol violation (counted where a pool is known). */
    default void protocolViolation() {
    }

    /**
     * The client is leaving; the connection is already {@link ClientState#CLOSED}. Give back what the phase
     * holds (a server, a place in a queue, buffered messages).
     *
     * @param was the state the client left from
     */
    default void left(ClientState was) {
    }

    /**
     * Whether the client holds part of a message its server's answer passes to it in parts (a large DataRow or
     * CopyData): nothing of pgmux's own may be written to it until the rest has gone.
     */
    default boolean insideForwardedMessage() {
        return false;
    }

    /**
     * A graceful shutdown began: a pooled client between transactions is closed with FATAL 57P01 now, one inside a
     * transaction as soon as it ends. Told once per client, on its event loop. The console stays open until
     * shutdown_timeout, so an operator can watch the drain.
     */
    default void drainStarted() {
    }

    /** What SHOW CLIENTS shows of the phase; read from the console's thread, so a moment's view. */
    default ClientInfo.Session describeSession() {
        return ClientInfo.Session.NONE;
    }
}
