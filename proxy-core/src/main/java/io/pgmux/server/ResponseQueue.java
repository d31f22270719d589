package io.pgmux.server;

import java.util.ArrayDeque;

/**
 * What a server owes, message by message, in the order it will answer, and what becomes of each answer: sent
 * to the client, swallowed (pgmux sent the request itself), or replaced by pgmux's own (a refused message).
 * Kinds live in a ring of bytes so the forward path allocates nothing; the few kinds that carry a callback or an
 * answer keep it in a side queue, in the same order.
 */
final class ResponseQueue {
    /** A client's Query or FunctionCall: everything up to ReadyForQuery goes to the client. */
    static final byte QUERY = 1;
    /** A client's Sync: the ReadyForQuery goes to the client. */
    static final byte SYNC = 2;
    /** A client's Parse, Bind, Describe, Execute or Close: answered by one terminal message, or an error. */
    static final byte EXTENDED = 3;
    /** Like EXTENDED, but pgmux must learn whether it succeeded (carries a {@code Outcome}). */
    static final byte EXTENDED_TRACKED = 4;
    /** A Parse or Close pgmux slipped in before a client's message: swallowed (carries an {@code Outcome}). */
    static final byte INJECTED = 5;
    /** pgmux's own Query: swallowed up to ReadyForQuery (carries a {@code PendingRequest.Internal}). */
    static final byte INTERNAL_QUERY = 6;
    /** A client's Query whose success pgmux must learn (carries an {@code Outcome}). */
    static final byte QUERY_TRACKED = 7;
    /**
     * A client's message pgmux refused with an error of its own (an unknown or duplicate statement name). A
     * Describe of a statement no server has stands in for it, so that the backend fails there too and skips to
     * Sync, as it would have for the client's message; its error is swallowed and pgmux's goes to the client
     * (carries that ErrorResponse as a ByteBuf).
     */
    static final byte REFUSED = 8;

    private byte[] kinds = new byte[16];
    private int head;
    private int size;
    private final ArrayDeque<Object> payloads = new ArrayDeque<>(2);

    static boolean hasPayload(byte kind) {
        return kind >= EXTENDED_TRACKED;
    }

    /** Kinds answered by one terminal message (or an error), never by ReadyForQuery: skipped after an error. */
    static boolean isExtended(byte kind) {
        return kind == EXTENDED || kind == EXTENDED_TRACKED || kind == INJECTED || kind == REFUSED;
    }

    void add(byte kind) {
        if (size == kinds.length) {
            grow();
        }
        kinds[(head + size) & (kinds.length - 1)] = kind;
        size++;
    }

    void add(byte kind, Object payload) {
        add(kind);
        payloads.addLast(payload);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The kind at the head; only valid when not empty. */
    byte peek() {
        return kinds[head];
    }

    /** Removes the head; returns its payload, or null for kinds without one. */
    Object poll() {
        byte kind = kinds[head];
        head = (head + 1) & (kinds.length - 1);
        size--;
        return hasPayload(kind) ? payloads.pollFirst() : null;
    }

    /**
     * Removes the first entry of {@code kind} after the head, if any; only for kinds without payload. Used when
     * the server turns out to ignore a request already queued (a Sync sent before COPY FROM STDIN began).
     */
    boolean removeFirstAfterHead(byte kind) {
        int mask = kinds.length - 1;
        for (int i = 1; i < size; i++) {
            if (kinds[(head + i) & mask] == kind) {
                for (int j = i; j < size - 1; j++) {
                    kinds[(head + j) & mask] = kinds[(head + j + 1) & mask];
                }
                size--;
                return true;
            }
        }
        return false;
    }

    /** The payload of the head, left in place; only for kinds that carry one. */
    Object payloadOfHead() {
        return payloads.peekFirst();
    }

    /** Whether any request of pgmux's own, or an answer of its own, is queued: such queues need the slow path. */
    boolean hasPayloads() {
        return !payloads.isEmpty();
    }

    private void grow() {
        byte[] bigger = new byte[kinds.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = kinds[(head + i) & (kinds.length - 1)];
        }
        kinds = bigger;
        head = 0;
    }
}
