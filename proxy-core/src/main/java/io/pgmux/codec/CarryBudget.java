package io.pgmux.codec;

import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes every framer of a process together may hold for messages that span reads and are gathered whole (a
 * {@link MessageFramer}'s carry): a peer that announces a large message and sends all but its end makes pgmux keep
 * it, so without a bound across connections a handful of stalled half-messages exhaust direct memory. A framer
 * reserves a message's announced size, header included, when it starts gathering it (or when its header completes)
 * and gives it back when the message is handed on or dropped: two atomic updates per gathered message, none for
 * messages that arrive whole or pass through in parts. Shared by the event loops; thread-safe.
 */
public final class CarryBudget {
    /**
     * The share of the maximum direct memory partial messages may take by default: the other half stays for the
     * read and write buffers of every connection, which must never be what fails.
     */
    static final int DIRECT_MEMORY_DIVISOR = 2;

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    /** @param limit the most bytes all carries together may reserve; positive */
    public CarryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a carry budget must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Half of the process's maximum direct memory (-XX:MaxDirectMemorySize, or io.netty.maxDirectMemory, else the
     * JVM's default, the maximum heap size), where Netty's buffers live.
     */
    public static CarryBudget ofDirectMemory() {
        return new CarryBudget(Math.max(1, PlatformDependent.maxDirectMemory() / DIRECT_MEMORY_DIVISOR));
    }

    /** No bound: for connections whose peer is trusted (pgmux's servers). */
    public static CarryBudget unbounded() {
        return new CarryBudget(Long.MAX_VALUE);
    }

    /**
     * Reserves {@code bytes} for a message to be gathered.
     *
     * @throws CarryRefusedException when the reservation would take the sum over {@link #limit()}; nothing is
     *     reserved then
     */
    void reserve(int bytes) {
        long now = held.addAndGet(bytes);
        if (now > limit) {
            held.addAndGet(-bytes);
            throw new CarryRefusedException(bytes, now - bytes, limit);
        }
    }

    /** Gives back a reservation of {@code bytes}: the message was handed on or dropped. */
    void release(int bytes) {
        held.addAndGet(-bytes);
    }

    /** Bytes reserved now, over all framers. */
    public long held() {
        return held.get();
    }

    /** The most bytes all carries together may reserve. */
    public long limit() {
        return limit;
    }
}
