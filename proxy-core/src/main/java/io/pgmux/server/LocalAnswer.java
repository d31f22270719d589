package io.pgmux.server;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.TransactionStatus;

/**
 * The client's answer to a simple request pgmux answers itself in its place in the pipeline ({@link
 * ResponseAction#ANSWER}). Told exactly once: {@link #answer} when the backend reached the request's place, or
 * {@link #skipped} when it never did (it skipped to Sync, failed the stand-in, or went).
 */
public interface LocalAnswer {
    /**
     * What the client gets before the ReadyForQuery that ends the request: a buffer of whole backend messages
     * (ending in CommandComplete or ErrorResponse), owned by the caller.
     *
     * @param status the transaction status that ReadyForQuery reports, which is the status at the request's place
     *               (the stand-in changes nothing)
     */
    ByteBuf answer(TransactionStatus status);

    /** The request never reached the backend's turn, or failed there with an error the client got instead. */
    void skipped();
}
