package io.pgmux.client;

import io.netty.buffer.ByteBuf;
import io.pgmux.protocol.FrontendTag;
import java.util.ArrayDeque;

/**
 * What a client sent that no server has received yet: messages kept, in order, while it waits for a server (or
 * behind its Terminate). An entry is one message that came whole to the session, or a run of whole messages that
 * arrived together and are kept as the bytes they arrived in (see {@link ClientRuns#run}), to go out as they are. Reading goes on while it waits (pausing and resuming would cost two epoll_ctl calls per
 * wait, and nearly every request waits when clients outnumber servers); only a client that keeps sending is
 * paused, past {@link #MAX_BYTES}, so its backlog stays bounded (PgBouncer's pkt_buf bounds it likewise). What is
 * counted is the memory a kept message holds, not its length: a message that ended its read keeps that whole read
 * buffer, and each kept message a slice and a queue slot, so many tiny messages, each read on its own, are bounded
 * too. Confined to the client's event loop.
 */
final class PendingRequests {
    /**
     * What a client may send ahead while it waits for a server, in bytes of memory held: a few socket buffers'
     * worth, enough for any pipelined batch a driver sends at once, small enough that thousands of waiting clients
     * hold no more than their sockets would.
     */
    static final int MAX_BYTES = 256 * 1024;
    /** What keeping one message costs beside its buffer: its slice or wrapper object and its slot in the queue. */
    static final int MESSAGE_OVERHEAD = 64;

    /** How cancelling the first waiting request ended. */
    enum Cancelled {
        /** Nothing that runs was waiting (a lone Sync, COPY data, Terminate, or nothing). */
        NOTHING,
        /** A simple Query or FunctionCall, or an extended-protocol batch up to and including its Sync. */
        UP_TO_READY,
        /** An extended-protocol batch whose Sync has not arrived: skip the client's messages up to it. */
        UNTIL_SYNC
    }

    /** Made when the client first waits: an idle client that never waited holds no queue. */
    private ArrayDeque<ByteBuf> frames;
    private int bytes;

    boolean isEmpty() {
        return frames == null || frames.isEmpty();
    }

    /** Keeps {@code frame}; returns whether the backlog is now over {@link #MAX_BYTES} (stop reading). */
    boolean add(ByteBuf frame) {
        frames().add(frame);
        bytes += cost(frame);
        return bytes > MAX_BYTES;
    }

    /**
     * The memory {@code frame} holds: its capacity (a slice's is its length; a read buffer handed on whole, as the
     * message that ended a read is, counts all of it) and {@link #MESSAGE_OVERHEAD}.
     */
    static int cost(ByteBuf frame) {
        return frame.capacity() + MESSAGE_OVERHEAD;
    }

    /** Keeps a Terminate behind the rest, not counted: nothing is read after it anyway. */
    void addTerminate(ByteBuf frame) {
        frames().add(frame);
    }

    private ArrayDeque<ByteBuf> frames() {
        if (frames == null) {
            frames = new ArrayDeque<>(2);
        }
        return frames;
    }

    /** The oldest kept entry, still kept; null when none. */
    ByteBuf peek() {
        return frames == null ? null : frames.peek();
    }

    /** Keeps {@code rest} of a run taken with {@link #poll} first in line again: it waits for answers still to come. */
    void putBack(ByteBuf rest) {
        frames().addFirst(rest);
        bytes += cost(rest);
    }

    /** The oldest kept message, now the caller's; null when none. */
    ByteBuf poll() {
        if (frames == null) {
            return null;
        }
        ByteBuf frame = frames.poll();
        if (frame != null) {
            bytes = frames.isEmpty() ? 0 : Math.max(0, bytes - cost(frame));
        }
        return frame;
    }

    boolean overLimit() {
        return bytes > MAX_BYTES;
    }

    /**
     * Drops the first request that waits, as PostgreSQL drops a query cancelled while it is blocked: a simple
     * Query or FunctionCall alone; an extended-protocol request with everything up to its Sync. Requests behind
     * it stay.
     */
    Cancelled cancelFirst() {
        if (isEmpty()) {
            return Cancelled.NOTHING;
        }
        byte tag = firstTag();
        boolean simple = tag == FrontendTag.QUERY || tag == FrontendTag.FUNCTION_CALL;
        boolean extended = tag == FrontendTag.PARSE || tag == FrontendTag.BIND || tag == FrontendTag.DESCRIBE
                || tag == FrontendTag.EXECUTE || tag == FrontendTag.CLOSE || tag == FrontendTag.FLUSH;
        if (!simple && !extended) {
            return Cancelled.NOTHING;
        }
        boolean synced = simple;
        dropFirstMessage();
        while (extended && !isEmpty()) {
            byte next = firstTag();
            if (next == FrontendTag.TERMINATE) {
                break;
            }
            dropFirstMessage();
            if (next == FrontendTag.SYNC) {
                synced = true;
                break;
            }
        }
        return synced ? Cancelled.UP_TO_READY : Cancelled.UNTIL_SYNC;
    }

    /** The type of the oldest message kept; there is one. */
    private byte firstTag() {
        ByteBuf first = frames.peek();
        return first.getByte(first.readerIndex());
    }

    /** Drops the oldest message kept: the entry that holds it, or only its bytes of a run that goes on. */
    private void dropFirstMessage() {
        ByteBuf first = frames.peek();
        if (!isOneMessage(first)) {
            first.skipBytes(first.getInt(first.readerIndex() + 1) + 1);
            return;
        }
        frames.poll();
        bytes -= cost(first);
        first.release();
    }

    /** Whether a kept entry holds one message (else a run of several, which a waiting client sent together). */
    static boolean isOneMessage(ByteBuf kept) {
        return kept.readableBytes() == kept.getInt(kept.readerIndex() + 1) + 1;
    }

    /** Releases everything kept: the client left. */
    void releaseAll() {
        if (frames == null) {
            return;
        }
        ByteBuf each;
        while ((each = frames.poll()) != null) {
            each.release();
        }
        bytes = 0;
    }
}
