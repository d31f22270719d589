package io.pgmux.codec;

import io.netty.buffer.ByteBuf;

/**
 * Where a {@link MessageFramer} in forwarding mode sends what it reads: messages pgmux passes through travel as
 * runs of bytes, cut only where a message pgmux must read stands in between. Called on the channel's event loop,
 * in stream order; every buffer handed over is the callee's to release.
 */
public interface MessageRouter {
    /**
     * Whether a message passes through unread: it then goes out inside a run, possibly in parts when it spans
     * reads; otherwise it is handed over whole to {@link #message}. Asked once per message, as soon as its header
     * (type byte and length word) has arrived and before the bytes in front of it have gone to {@link #run}; the
     * answer may note what the message means for bookkeeping, but must not write anything.
     *
     * @param length the message's length word (body plus the four bytes of the word itself)
     */
    boolean passes(byte tag, int length);

    /**
     * Pass-through bytes in stream order: whole messages, or the first or a later part of one that spans reads.
     * One retained slice of the read buffer per contiguous run, never a copy (except the up to four header bytes
     * of a message whose header itself was split across reads).
     */
    void run(ByteBuf bytes);

    /** One whole message {@link #passes} declined: type byte, length word and body. */
    void message(ByteBuf message);
}
