package io.pgmux.codec;

import io.netty.buffer.ByteBuf;

/**
 * Where a {@link MessageFramer} in forwarding mode sends what it reads: messages pgmux passes through travel as
 * runs of bytes, cut only where a message pgmux must take out of the stream stands in between. Called on the
 * channel's event loop, in stream order; every buffer handed over is the callee's to release.
 */
public interface MessageRouter {
    /** What becomes of one message, decided from its header. */
    enum Route {
        /** Forwarded inside a run, unread; possibly in parts when it spans reads. */
        PASS,
        /**
         * Forwarded inside a run as it is, then read in place ({@link #passed}) once the run holding it has been
         * handed on: for a message pgmux acts on but does not change or withhold (ReadyForQuery, say).
         */
        PASS_AND_READ,
        /** Taken out of the stream and handed over whole ({@link #message}): pgmux may change or withhold it. */
        TAKE
    }

    /**
     * What becomes of a message. Asked once per message, as soon as its header (type byte and length word) has
     * arrived and before the bytes in front of it have gone to {@link #run}; the answer may note what the message
     * means for bookkeeping, but must not write anything.
     *
     * @param length the message's length word (body plus the four bytes of the word itself)
     */
    Route route(byte tag, int length);

    /**
     * Pass-through bytes in stream order: whole messages, or the first or a later part of one that spans reads.
     * The read buffer itself when the run is all of it, else one retained slice of it; never a copy (except the
     * up to four header bytes of a message whose header itself was split across reads).
     */
    void run(ByteBuf bytes);

    /**
     * A {@link Route#PASS_AND_READ} message, already handed on inside a run: read it in place. {@code buffer} holds
     * it from {@code index} (its type byte) on and is valid during this call only.
     */
    void passed(ByteBuf buffer, int index);

    /**
     * One whole message, type byte, length word and body: one {@link #route} took, or one to pass and read that
     * spanned reads (it has not been forwarded; the callee forwards it).
     */
    void message(ByteBuf message);
}
