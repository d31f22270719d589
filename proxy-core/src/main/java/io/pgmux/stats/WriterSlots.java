package io.pgmux.stats;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Numbers the threads that record statistics: each gets its own counter block in every pool it records into.
 * On Netty's event-loop threads the lookup is an array index (a {@link FastThreadLocal}).
 */
final class WriterSlots {
    /** More writing threads than this share one locked block per pool; pgmux records from its event loops only. */
    static final int MAX = 256;

    private final AtomicInteger next = new AtomicInteger();
    private final FastThreadLocal<int[]> slot = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[] {next.getAndIncrement()};
        }
    };

    /** This thread's slot: from 0 up, or {@link #MAX} or more for a thread that must use the shared block. */
    int current() {
        return slot.get()[0];
    }
}
