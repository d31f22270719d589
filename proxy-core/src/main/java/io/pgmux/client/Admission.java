package io.pgmux.client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client-connection slots one client holds: one of pgmux's max_client_connections from its StartupMessage
 * on, and one of its tenant's once it has authenticated. {@link #release} gives back exactly what was taken,
 * once, whatever the configuration says by then. Confined to the client's event loop.
 */
final class Admission {
    /*
     * Two fields, not a list: every client holds an Admission for its whole life, and a list with its array would
     * cost it 48 bytes more.
     */
    private AtomicInteger first;
    private AtomicInteger second;

    /**
     * Takes a slot of {@code counter} if it is below {@code limit} (0: no limit).
     *
     * @return whether the slot was taken
     */
    boolean take(AtomicInteger counter, int limit) {
        while (true) {
            int current = counter.get();
            if (limit > 0 && current >= limit) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                hold(counter);
                return true;
            }
        }
    }

    /** Whether a slot of {@code counter} is held. */
    boolean holds(AtomicInteger counter) {
        return first == counter || second == counter;
    }

    private void hold(AtomicInteger counter) {
        if (first == null) {
            first = counter;
        } else if (second == null) {
            second = counter;
        } else {
            counter.decrementAndGet();
            throw new IllegalStateException("a client holds at most two connection slots");
        }
    }

    /** Gives back every slot taken; a second call gives back nothing. */
    void release() {
        AtomicInteger one = first;
        AtomicInteger two = second;
        first = null;
        second = null;
        if (one != null) {
            one.decrementAndGet();
        }
        if (two != null) {
            two.decrementAndGet();
        }
    }
}
