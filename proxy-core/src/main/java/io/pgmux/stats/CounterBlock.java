package io.pgmux.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One writer's share of a pool's counters and histogram buckets. Only the thread that owns the block writes it,
 * so an update is a plain read and an opaque write: no lock, no compare-and-swap, no cache line shared with
 * another writer. Readers on other threads sum every block with opaque reads, which never see a torn long and
 * see each owner's writes in order; a snapshot may miss an update made during the read, never invent one.
 */
class CounterBlock {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    static final int SIZE = PoolCounter.COUNT + Latency.SLOTS;

    private final long[] values = new long[SIZE];

    /** Adds to one slot; only the owning thread may call it (see {@link Shared} for the others). */
    void add(int index, long delta) {
        SLOT.setOpaque(values, index, values[index] + delta);
    }

    /** Adds this block's current values into {@code sums}; any thread. */
    void addTo(long[] sums) {
        for (int i = 0; i < SIZE; i++) {
            sums[i] += (long) SLOT.getOpaque(values, i);
        }
    }

    /**
     * The block of writers beyond the per-thread blocks' limit, which several threads may update: each update
     * takes the block's monitor. pgmux's own writers (its event loops) never get here.
     */
    static final class Shared extends CounterBlock {
        @Override
        synchronized void add(int index, long delta) {
            super.add(index, delta);
        }

        @Override
        synchronized void addTo(long[] sums) {
            super.addTo(sums);
        }
    }
}
