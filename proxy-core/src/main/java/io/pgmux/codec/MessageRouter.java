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
        /**
         * Read in place before anything of it is forwarded ({@link #inspect}), which says what becomes of it: for a
         * message pgmux must read before it knows whether it may pass unchanged (a Bind naming a statement, say).
         * Taken whole, as {@link #TAKE}, when it did not arrive in one read. Only an answer of {@link #route}.
         */
        INSPECT,
        /**
         * The message's beginning is replaced and the rest forwarded as it is: the run before it is handed on, then
         * {@link #replaceHead} writes the new beginning and says where the unchanged rest starts, which opens the
         * next run. Only an answer of {@link #inspect}.
         */
        REPLACE_HEAD,
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
     * A message {@link #route} answered {@link Route#INSPECT} for, arrived whole: read it in place before anything of
     * it goes anywhere. {@code frame}'s readable bytes are the message, type byte to end; it is valid during this
     * call only and must not be retained, released or have its indexes moved. As {@link #route}, the answer may
     * note what the message means but must not write anything.
     *
     * @return {@link Route#PASS} to forward it unchanged inside the run, {@link Route#REPLACE_HEAD} to forward it
     *     with a new beginning ({@link #replaceHead}), or {@link Route#TAKE} to have it handed over whole
     */
    default Route inspect(ByteBuf frame) {
        return Route.TAKE;
    }

    /**
     * A message {@link #inspect} answered {@link Route#REPLACE_HEAD} for, with the run before it already handed on:
     * write its new beginning, and return the index in {@code frame} (from its reader index to its writer index)
     * where its unchanged rest starts; that rest is forwarded at the start of the next run. {@code frame} as for
     * {@link #inspect}.
     */
    default int replaceHead(ByteBuf frame) {
        throw new IllegalStateException("no message's head is replaced here");
    }

    /**
     * Pass-through bytes in stream order: whole messages, or the first or a later part of one that spans reads.
     * The read buffer itself (its reader index moved to the run's start) when the run ends the read, else one
     * retained slice of it; never a copy (except the up to four header bytes of a message whose header itself was
     * split across reads).
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
