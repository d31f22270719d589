package io.pgmux.fleet;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The slots of instances that vanished, left alone for a while. When an instance's control connection goes, the
 * database frees its locks at once, but its server connections may live on (only the control backend was
 * terminated, or its socket broke): that instance keeps serving on them while it reconnects and takes the same
 * slots back (see {@link LeaseBook.Standing#RECLAIMING}). If another instance took those slots meanwhile, the
 * fleet would have more connections than slots. So a slot whose holder vanished from one round to the next (its
 * backend gone from {@code pg_stat_activity}, not merely unlocking) is treated as taken for {@code nanos}: the
 * vanished instance's reclaim timeout and two rebalance intervals. A slot given back by a live instance is free
 * at once: it is unlocked only after its connection closed. Used by the keeper's thread alone.
 *
 * <p>What it cannot see: an instance that starts after another vanished did not see the slots held, and may take
 * them during the wait.
 */
final class Quarantine {
    private final long nanos;
    /** Until when each left-alone slot stays so, by {@link #id(int, int)}. */
    private final Map<Long, Long> until = new HashMap<>();

    /** @param nanos how long a vanished instance's slots are left alone */
    Quarantine(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The backends that held slots of {@code keys} at {@code previous} and hold no lock at {@code current}: the
     * candidates, to be checked against {@code pg_stat_activity}. This instance's own backends, old and new, are
     * never candidates: it re-takes its slots itself.
     */
    static Set<Integer> vanished(LockTable previous, LockTable current, Set<Integer> keys) {
        Set<Integer> present = new HashSet<>();
        for (ControlConnection.Lock lock : current.locks()) {
            present.add(lock.pid());
        }
        Set<Integer> result = new HashSet<>();
        for (ControlConnection.Lock lock : previous.locks()) {
            if (keys.contains(lock.key()) && lock.pid() != previous.self() && lock.pid() != current.self()
                    && !present.contains(lock.pid())) {
                result.add(lock.pid());
            }
        }
        return result;
    }

    /**
     * Leaves alone, from {@code now}, the slots of {@code keys} that the {@code dead} backends held at
     * {@code previous}; returns how many.
     */
    int leave(LockTable previous, Set<Integer> dead, Set<Integer> keys, long now) {
        int n = 0;
        for (ControlConnection.Lock lock : previous.locks()) {
            if (dead.contains(lock.pid()) && keys.contains(lock.key())) {
                until.put(id(lock.key(), lock.slot()), now + nanos);
                n++;
            }
        }
        return n;
    }

    /** Forgets what has waited long enough. */
    void expire(long now) {
        Iterator<Long> each = until.values().iterator();
        while (each.hasNext()) {
            if (now - each.next() >= 0) {
                each.remove();
            }
        }
    }

    /** {@code seen} with the left-alone slots of its budget counted as taken by others. */
    LeaseBook.Observation apply(LeaseKeys keys, LeaseBook.Observation seen) {
        Set<Integer> taken = null;
        for (Long id : until.keySet()) {
            if ((int) (id >>> 32) == keys.key()) {
                if (taken == null) {
                    taken = new HashSet<>(seen.takenByOthers());
                }
                taken.add((int) (long) id);
            }
        }
        return taken == null ? seen : new LeaseBook.Observation(taken, seen.othersHolding(), seen.othersWaiting());
    }

    /** The database restarted: no connection of before survived, so nothing needs leaving alone. */
    void clear() {
        until.clear();
    }

    /** Slots left alone now, over every budget. */
    int size() {
        return until.size();
    }

    private static long id(int key, int slot) {
        return (long) key << 32 | Integer.toUnsignedLong(slot);
    }
}
