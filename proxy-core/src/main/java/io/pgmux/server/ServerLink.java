package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;

/**
 * The client a server connection is linked to. The server side calls these on the shared event loop; it never
 * decides pooling itself, it only reports what the backend said.
 */
public interface ServerLink {
    /**
     * Backend bytes for the client: one message, or a run of them as the server read them (possibly beginning or
     * ending inside a message that spans reads). Write them as they are; the flush comes with
     * {@link #serverReadComplete()}.
     */
    void serverMessage(ByteBuf bytes);

    /**
     * An ErrorResponse for the client, taken whole while the server holds statements under pgmux's names: what
     * the client gets in its place, which names the client's statements as the client named them (a Bind's
     * parameter count, say). Returns {@code frame} itself when nothing changes; else releases it.
     */
    default ByteBuf serverError(PgError error, ByteBuf frame) {
        return frame;
    }

    /** The backend reported a new value of a run-time parameter. */
    void serverParameterChanged(String name, String value, ByteBuf frame);

    /** End of a read burst from the server: flush what was written to the client. */
    void serverReadComplete();

    /** The backend said ReadyForQuery for one of the client's requests. */
    void serverReadyForQuery(TransactionStatus status);

    /**
     * The backend said ReadyForQuery, to a request of the client's or of pgmux's own: what the client held back until
     * the server had answered a batch before it may go now. Called before {@link #serverAtBoundary}.
     */
    default void serverAnsweredBatch() {
    }

    /** Nothing is outstanding and the backend said ReadyForQuery: a point where the server could be released. */
    void serverAtBoundary();

    /**
     * The backend began a COPY FROM STDIN (its CopyInResponse went to the client just before). Whether it waits for
     * COPY data now is {@link ServerConnection#isCopyIn}: not when the client sent the COPY's end along with the
     * request that began it, which the backend has read by then.
     */
    void serverCopyInStarted();

    /**
     * The server connection ended while linked. {@code error}: what to tell the client, or null when it needs no
     * word of pgmux's: it received the backend's FATAL, or the close is the answer to its own Terminate
     * ({@link ServerConnection#passTerminate}), or an error would land inside a message it is receiving.
     */
    void serverLost(PgError error);

    /**
     * Whether the server holds part of a message of the client's (CopyData passes in parts): it reads whatever comes
     * next as that message's rest, so nothing of pgmux's own may go to it until the client's next read completes the
     * message.
     */
    boolean clientInsideMessage();

    /** The server's socket can (or cannot) take more writes: pause or resume reading from the client. */
    void serverWritabilityChanged(boolean writable);
}
