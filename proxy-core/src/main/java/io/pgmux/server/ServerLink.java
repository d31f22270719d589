package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.PgError;
import io.pgmux.protocol.TransactionStatus;

/**
 * The client a server connection is linked to. The server side calls these on the shared event loop; it never
 * decides pooling itself, it only reports what the backend said.
 */
public interface ServerLink {
    /** A backend message for the client: write it (the flush comes with {@link #serverReadComplete()}). */
    void serverMessage(ByteBuf frame);

    /** The backend reported a new value of a run-time parameter. */
    void serverParameterChanged(String name, String value, ByteBuf frame);

    /** End of a read burst from the server: flush what was written to the client. */
    void serverReadComplete();

    /**
     * The backend said ReadyForQuery for one of the client's requests.
     *
     * @param failed whether an error was reported since the previous ReadyForQuery, i.e. the cycle's implicit
     *               transaction (if any) was rolled back
     */
    void serverReadyForQuery(TransactionStatus status, boolean failed);

    /** Nothing is outstanding and the backend said ReadyForQuery: a point where the server could be released. */
    void serverAtBoundary();

    /** The backend entered COPY FROM STDIN (its CopyInResponse went to the client just before). */
    void serverCopyInStarted();

    /** The server connection broke while linked. */
    void serverLost(PgError error);

    /** The server's socket can (or cannot) take more writes: pause or resume reading from the client. */
    void serverWritabilityChanged(boolean writable);
}
