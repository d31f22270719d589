package io.pgmux.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client-connection slots one client holds: one of pgmux's max_client_connections from its StartupMessage
 * on, and one of its tenant's once it has authenticated. {@link #release} gives back exactly what was taken,
 * once, whatever the configuration says by then. Confined to the client's event loop.
 */
final class Admission {
    private final List<AtomicInteger> held = new ArrayList<>(2);

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
                held.add(counter);
                return true;
            }
        }
    }

    /** Gives back every slot taken; a second call gives back nothing. */
    void release() {
        for (AtomicInteger each : held) {
            each.decrementAndGet();
        }
        held.clear();
    }
}
