package io.pgmux.fleet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The slots of instances that vanished, left alone for a while. When an instance's control connection goes, the
 * database frees its locks at once, but its server connections may live on (only the control backend was
 * terminated, or its socket broke): that instance keeps serving on them while it reconnects and takes the same
 * slots back (see {@link LeaseBook.Standing#RECLAIMING}). If another instance took those slots meanwhile, the
 * fleet would have more connections than slots. So, for {@code nanos} (the vanished instance's reclaim timeout
 * and two rebalance intervals):
 * <ul>
 * <li>the slots it was last seen holding count as taken;</li>
 * <li>no free slot of any budget is taken either (the budgets are frozen): it may have taken slots after this
 *     instance last looked, and have connections on them that no one saw;</li>
 * <li>an instance only re-taking its own former slots is not held back.</li>
 * </ul>
 * A backend that holds no lock any more is a suspect first: it is judged dead when it is gone from
 * {@code pg_stat_activity} (or another backend has its pid), alive when it is still there a round later (an
 * instance that gave back all its slots; a dying backend leaves the view within milliseconds, after its locks).
 * While a suspect is judged, every budget is frozen. A slot given back by a live instance is free at once: it is
 * unlocked only after its connection closed. Used by the keeper's thread alone.
 *
 * <p>What it cannot see: an instance that starts after another vanished did not see the slots held, and may take
 * them during the wait.
 */
final class Quarantine {
    /**
     * What one judgement found dead.
     *
     * @param slots     slots now left alone
     * @param instances the dead instances' ids (application_name without the "pgmux " prefix)
     */
    record Judged(int slots, List<String> instances) {
    }

    /** A backend that held slots at {@code heldAt} and holds no lock now, not yet judged. */
    private record Suspect(String applicationName, LockTable heldAt, boolean askedBefore) {
    }

    private final long nanos;
    /** Until when each left-alone slot stays so, by {@link #id(int, int)}. */
    private final Map<Long, Long> until = new HashMap<>();
    /** Until when no free slot may be taken; 0 when none is frozen. */
    private long frozenUntil;
    private final Map<Integer, Suspect> suspects = new HashMap<>();

    /** @param nanos how long a vanished instance's slots are left alone */
    Quarantine(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The backends that held slots of {@code keys} at {@code previous} and hold no lock at {@code current}. This
     * instance's own backends, old and new, are never among them: it re-takes its slots itself.
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

    /** Remembers the backends that vanished between {@code previous} and {@code current}, to be judged. */
    void suspect(LockTable previous, LockTable current, Set<Integer> keys) {
        for (int pid : vanished(previous, current, keys)) {
            String name = "";
            for (ControlConnection.Lock lock : previous.locks()) {
                if (lock.pid() == pid) {
                    name = lock.applicationName();
                }
            }
            suspects.putIfAbsent(pid, new Suspect(name, previous, false));
        }
    }

    /** The suspects' pids, to be looked up in {@code pg_stat_activity}; empty when there are none. */
    Set<Integer> suspects() {
        return Set.copyOf(suspects.keySet());
    }

    /**
     * Judges the suspects from {@code alive} (pid to application_name, as {@code pg_stat_activity} shows them now):
     * the dead ones' slots are left alone and every budget frozen from {@code now}; one still there a second time
     * is alive.
     */
    Judged judge(Map<Integer, String> alive, Set<Integer> keys, long now) {
        int left = 0;
        List<String> dead = new ArrayList<>();
        Iterator<Map.Entry<Integer, Suspect>> each = suspects.entrySet().iterator();
        while (each.hasNext()) {
            Map.Entry<Integer, Suspect> entry = each.next();
            Suspect suspect = entry.getValue();
            if (!suspect.applicationName().equals(alive.get(entry.getKey()))) {
                left += leave(suspect.heldAt(), Set.of(entry.getKey()), keys, now);
                String name = suspect.applicationName();
                dead.add(name.startsWith(LockTable.APPLICATION_PREFIX)
                        ? name.substring(LockTable.APPLICATION_PREFIX.length()) : name);
                frozenUntil = now + nanos;
                each.remove();
            } else if (suspect.askedBefore()) {
                each.remove();
            } else {
                entry.setValue(new Suspect(suspect.applicationName(), suspect.heldAt(), true));
            }
        }
        return new Judged(left, dead);
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
        if (frozenUntil != 0 && now - frozenUntil >= 0) {
            frozenUntil = 0;
        }
    }

    /**
     * {@code seen} with the left-alone slots of its budget counted as taken by others, and frozen while a suspect
     * is judged or a vanished instance's wait runs.
     */
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
        boolean frozen = frozen();
        if (taken == null && !frozen) {
            return seen;
        }
        return seen.leavingAlone(taken == null ? seen.takenByOthers() : taken, frozen);
    }

    /** The database restarted: no connection of before survived, so nothing needs leaving alone. */
    void clear() {
        until.clear();
        suspects.clear();
        frozenUntil = 0;
    }

    /** Slots left alone now, over every budget. */
    int size() {
        return until.size();
    }

    /** Whether no free slot may be taken now. */
    boolean frozen() {
        return frozenUntil != 0 || !suspects.isEmpty();
    }

    private static long id(int key, int slot) {
        return (long) key << 32 | Integer.toUnsignedLong(slot);
    }
}
