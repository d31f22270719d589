package io.pgmux.pool;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one lock over budgets, waiting clients and the pool-wide lists, and the one place where the work found
 * while holding it is run after it is released. Every entry point reads:
 *
 * <pre>{@code
 * Work work = lock.enter();
 * try {
 *     ... decide, recording in work what to do to connections, clients, timers and the log ...
 * } finally {
 *     lock.exit(work); // unlocks, then does what was recorded
 * }
 * }</pre>
 *
 * <p>So nothing slow, blocking or re-entrant (a connection's write, a client's callback, a log line) runs under
 * the lock, and nothing is allocated there once a thread's {@link Work} has grown to its working size: a thread
 * reuses its Works, one per level of nesting (recorded work may call back into the pool on the same thread).
 */
final class PoolLock {
    private final ReentrantLock lock = new ReentrantLock();
    private final FastThreadLocal<Work.Stack> works = new FastThreadLocal<>() {
        @Override
        protected Work.Stack initialValue() {
            return new Work.Stack();
        }
    };
    private Work.Effects effects;

    /** Who carries out recorded work; set once, by the pool manager, before the first {@link #enter()}. */
    void effects(Work.Effects effects) {
        this.effects = effects;
    }

    Work enter() {
        Work work = works.get().push();
        lock.lock();
        return work;
    }

    void exit(Work work) {
        lock.unlock();
        try {
            work.runAll(effects);
        } finally {
            works.get().pop(work);
        }
    }

    boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }
}
