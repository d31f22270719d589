package io.pgmux.codec;

import io.netty.util.internal.PlatformDependent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes every framer of a process together may hold for messages that span reads and are gathered whole (a
 * {@link MessageFramer}'s carry): a peer that announces a large message and sends all but its end makes pgmux keep
 * it, so without a bound across connections a handful of stalled half-messages exhaust direct memory. A framer
 * reserves a message's announced size, header included, when it starts gathering it (or when its header completes)
 * and gives it back when the message is handed on or dropped: a few atomic updates per gathered message, none for
 * messages that arrive whole or pass through in parts. Shared by the event loops; thread-safe.
 *
 * <p>When a reservation does not fit, the largest message gives way: a holder whose reservation is larger than the
 * one asked for loses it (its connection is refused, {@link Holder#reservationTaken}), as many as needed, and only
 * when none is larger is the asker refused. So a client refuses another only with messages at least as large as
 * that one's, and a single client, holding one message at a time, can make another's be refused only if that one
 * is larger than its own and both together exceed the bound: larger than half of it. PostgreSQL bounds memory per
 * backend and would take both; PgBouncer gathers no message whole, so has no such bound to share.
 */
public final class CarryBudget {
    /**
     * A framer with a reservation: one message being gathered. Its reservation is taken either by the holder itself
     * ({@link #takeReservation}, when the message is handed on or dropped) or by the budget for a smaller message;
     * whichever takes it first gives it back.
     */
    interface Holder {
        /** Bytes reserved now; 0 when none. Any thread. */
        int reservation();

        /** Takes the reservation: returns its bytes and leaves none, or 0 when it was taken already. Any thread. */
        int takeReservation();

        /**
         * The budget took the reservation for a smaller message: the holder refuses its peer with {@code refusal}
         * on its own thread, unless the message was handed on meanwhile (it is refused then as it completes).
         */
        void reservationTaken(CarryRefusedException refusal);
    }

    /**
     * The share of the maximum direct memory partial messages may take by default: the other half stays for the
     * read and write buffers of every connection, which must never be what fails.
     */
    static final int DIRECT_MEMORY_DIVISOR = 2;

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /**
     * Those holding a reservation, for the one to give way (a holder may linger briefly after its release); none
     * kept for an unbounded budget, which never takes a reservation back.
     */
    private final Set<Holder> holders;

    /** @param limit the most bytes all carries together may reserve; positive */
    public CarryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a carry budget must be positive, got " + limit);
        }
        this.limit = limit;
        this.holders = limit == Long.MAX_VALUE ? Set.of() : ConcurrentHashMap.newKeySet();
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
     * Reserves {@code bytes} for {@code holder}'s message to be gathered; the holder records the reservation once this
     * returns. Where the sum would pass {@link #limit()}, holders of larger reservations lose theirs, largest first,
     * until it fits.
     *
     * @throws CarryRefusedException when the reservation does not fit and no holder has a larger one; nothing is
     *     reserved then
     */
    void reserve(Holder holder, int bytes) {
        while (true) {
            long now = held.addAndGet(bytes);
            if (now <= limit) {
                if (limit != Long.MAX_VALUE) {
                    holders.add(holder);
                }
                return;
            }
            held.addAndGet(-bytes);
            Holder largest = largestAbove(bytes);
            if (largest == null) {
                throw new CarryRefusedException(bytes, now - bytes, limit);
            }
            int taken = largest.takeReservation();
            holders.remove(largest);
            if (taken > 0) {
                held.addAndGet(-taken);
                largest.reservationTaken(new CarryRefusedException(taken, now - bytes - taken, limit));
            }
        }
    }

    /** The holder of the largest reservation above {@code bytes}; null when none is larger. */
    private Holder largestAbove(int bytes) {
        Holder largest = null;
        int most = bytes;
        for (Holder each : holders) {
            int reserved = each.reservation();
            if (reserved > most) {
                largest = each;
                most = reserved;
            }
        }
        return largest;
    }

    /** Gives back a reservation of {@code bytes} the holder took back: its message was handed on or dropped. */
    void release(Holder holder, int bytes) {
        if (limit != Long.MAX_VALUE) {
            holders.remove(holder);
        }
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
