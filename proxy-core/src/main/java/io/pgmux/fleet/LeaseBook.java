package io.pgmux.fleet;

import io.pgmux.pool.LeasedBudgets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leases this instance holds on one budget of the fleet, and what to do about them each round: the arithmetic
 * only (time is passed in), so that it can be tested without a database. One instance of it per budget, used by
 * the keeper's thread alone.
 *
 * <p>The rules, in the order a round applies them:
 * <ol>
 * <li>Give back (unlock) held leases beyond what the pools were allowed since the last round and beyond what they
 *     still have open: a lease is released only after the connection it covered has gone.</li>
 * <li>Take: while clients wait that another lease would serve, or fewer than {@code min} leases are held, try free
 *     slots, at most {@link #MAX_TAKE_PER_ROUND} a round; normal slots ({@code limit}) first, reserve slots only
 *     while a waiter has waited reserve_pool_timeout. While other instances wait, take no more than the fair share
 *     (see {@link #share}: the normal slots, or all of them while the reserve is wanted, divided among the instances
 *     that want more, rounded so that the fleet settles); wanting more than that is waiting, too.</li>
 * <li>Shrink: once a {@code leaseIdleTimeout} window has passed, the allowance drops to the most that was in use
 *     (busy or waited for) during it, at least {@code min} (none while other instances wait and no client used the
 *     budget here for a whole window and since); while other instances wait, an instance above its fair share
 *     lowers its allowance by one a round; reserve slots held while no pool wants the reserve allow nothing.
 *     The leases above the allowance are given back in a later round, when their connections have closed.</li>
 * </ol>
 *
 * <p>Its {@link Standing} says what the leases rest on. While the control connection is up they are its locks
 * ({@link Standing#HOLDING}). When it is lost the locks are gone, but the server connections they covered are not:
 * the book turns {@link Standing#RECLAIMING} for {@code reclaimNanos}, in which the pools keep serving on the
 * connections they have (never more, so none opens) and the next round that has a control connection again tries
 * to take the very slots it held; the other instances leave those slots alone meanwhile (see {@link Quarantine}).
 * Past the deadline the book is {@link Standing#UNLEASED}: nothing is allowed, idle connections close, busy ones
 * as their clients give them back.
 */
final class LeaseBook {
    /** What this instance's leases of the budget rest on. */
    enum Standing {
        /** No control connection and nothing to re-take: the pools may have no connection. */
        UNLEASED,
        /** The control connection is up: the held slots are its locks. */
        HOLDING,
        /** The control connection was lost: serving on the connections still open until the slots are re-taken. */
        RECLAIMING
    }

    /** Slots one round may try to take for one budget: a burst of waiters ramps up over a few rounds. */
    static final int MAX_TAKE_PER_ROUND = 4;

    /**
     * What the upstream shows about one budget's locks, this instance's own excepted.
     *
     * @param takenByOthers   slots other sessions hold
     * @param othersHolding   other instances holding leases of it
     * @param othersWaiting   other instances waiting for a lease of it (holding the demand marker)
     * @param othersSharing   other instances holding a lease of it or waiting for one, each counted once: those its
     *                        slots are shared among
     * @param frozen          whether no free slot may be taken this round: an instance vanished, and it may have
     *                        held slots this one never saw held (see {@link Quarantine})
     * @param waitersHolding  per other waiting instance, the leases it holds (any order): tells whether one of them
     *                        is below its share
     * @param contentHolding  per other instance that holds leases and waits for none, how many (any order): it
     *                        needs no more, so what it leaves of its share goes to the waiting ones
     * @param othersSizes     the budget's size as each other instance advertises it (any order): where their files
     *                        disagree, the smallest holds
     */
    record Observation(Set<Integer> takenByOthers, int othersHolding, int othersWaiting, int othersSharing,
                       boolean frozen, List<Integer> waitersHolding, List<Integer> contentHolding,
                       List<BudgetSize> othersSizes) {
        static final Observation NONE = new Observation(Set.of(), 0, 0, 0, false);

        Observation {
            takenByOthers = Set.copyOf(takenByOthers);
            waitersHolding = List.copyOf(waitersHolding);
            contentHolding = List.copyOf(contentHolding);
            othersSizes = List.copyOf(othersSizes);
            if (waitersHolding.size() != othersWaiting) {
                throw new IllegalArgumentException(othersWaiting + " waiting instances but the leases of "
                        + waitersHolding.size());
            }
        }

        /** Other waiting instances counted as holding nothing: each of them below any share. */
        Observation(Set<Integer> takenByOthers, int othersHolding, int othersWaiting, int othersSharing,
                    boolean frozen) {
            this(takenByOthers, othersHolding, othersWaiting, othersSharing, frozen,
                    Collections.nCopies(othersWaiting, 0), List.of(), List.of());
        }

        Observation(Set<Integer> takenByOthers, int othersHolding, int othersWaiting, int othersSharing) {
            this(takenByOthers, othersHolding, othersWaiting, othersSharing, false);
        }

        /** The same, but with {@code taken} held by others and {@code frozen} as given (see {@link Quarantine}). */
        Observation leavingAlone(Set<Integer> taken, boolean frozen) {
            return new Observation(taken, othersHolding, othersWaiting, othersSharing, frozen, waitersHolding,
                    contentHolding, othersSizes);
        }
    }

    /**
     * One round's decisions.
     *
     * @param release slots to unlock now
     * @param take    free slots to try to lock
     * @param waiting whether to hold the demand marker (this instance wants leases none are free for)
     */
    record Step(List<Integer> release, List<Integer> take, boolean waiting) {
    }

    private final LeaseKeys keys;
    private final int min;
    private final long idleNanos;
    private final long reclaimNanos;
    private Standing standing = Standing.UNLEASED;
    private final NavigableSet<Integer> held = new TreeSet<>();
    /** While {@link Standing#RECLAIMING}: the slots held when the control connection was lost; empty otherwise. */
    private final NavigableSet<Integer> reclaim = new TreeSet<>();
    /** While {@link Standing#RECLAIMING}: when the book turns {@link Standing#UNLEASED} if not reconnected. */
    private long reclaimUntil;
    /** What the pools were allowed by the last round: never more than {@link #held}. */
    private int allowance;
    /**
     * The most leases to keep once the connections beyond have closed, decided by an idle window or by fairness;
     * {@link Integer#MAX_VALUE} when no shrink is under way. Kept across rounds until reached, so a shrink waiting
     * for busy connections to come back is not undone meanwhile.
     */
    private int ceiling = Integer.MAX_VALUE;
    private boolean waiting;
    /** The size the last round counted on: the smallest this instance and the others advertised. */
    private BudgetSize size = new BudgetSize(0, 0);
    private long windowStart;
    private int windowPeak;
    /** The most in use (busy or waited for) during the last whole idle window; -1 before the first ended. */
    private int lastWindowPeak = -1;
    private boolean windowOpen;

    LeaseBook(LeaseKeys keys, int min, long idleNanos, long reclaimNanos) {
        this.keys = keys;
        this.min = min;
        this.idleNanos = idleNanos;
        this.reclaimNanos = reclaimNanos;
    }

    /**
     * Decides a round from what the pools use now ({@code use}, read after the last round's allowance took effect)
     * and what the upstream shows. The release is decided here and the caller must carry it out; takes are only
     * tries: report each success with {@link #took}.
     */
    Step plan(long now, LeasedBudgets.Use use, Observation seen) {
        if (standing == Standing.RECLAIMING) {
            return reclaimStep(seen);
        }
        standing = Standing.HOLDING;
        // Where the instances' files disagree, the smallest size any of them advertises holds: else the fleet's
        // connections could reach the largest.
        size = new BudgetSize(use.limit(), use.reserve()).smallest(seen.othersSizes());
        int most = size.most();
        // The slots this round may count on: the reserve only while a pool waited reserve_pool_timeout for it.
        int cap = use.reserveWanted() ? most : size.limit();
        // 1. Give back what the pools no longer have open beyond their allowance.
        List<Integer> release = new ArrayList<>();
        int keep = Math.max(allowance, use.used());
        while (held.size() > keep) {
            release.add(held.pollLast());
        }
        // Slots beyond what may be counted on (the reserve when no pool wants it, slots beyond a budget shrunk by a
        // reload) go first, once their connections have closed.
        while (!held.isEmpty() && held.last() >= cap && held.size() > use.used()) {
            release.add(held.pollLast());
        }
        allowance = Math.min(allowance, held.size());
        if (held.size() <= ceiling) {
            ceiling = Integer.MAX_VALUE;
        }

        int share = share(cap, seen);
        int demand = use.busy() + use.waiting();
        if (!windowOpen) {
            windowOpen = true;
            windowStart = now;
            windowPeak = demand;
        }
        windowPeak = Math.max(windowPeak, demand);
        // min_leases keeps the first client of an idle instance from waiting, but not at the cost of instances that
        // use the budget: one that had no client for a whole idle window, and has none since, keeps none while
        // others wait or hold every other slot (else it would want its minimum back as soon as they stop waiting).
        int counted = held.headSet(cap).size();
        boolean othersWant = seen.othersWaiting() > 0 || free(cap, counted, seen) == 0;
        int floor = othersWant && lastWindowPeak == 0 && windowPeak == 0 ? 0 : min;

        // 2. Take.
        int wanted = held.size() < floor ? floor - held.size() : 0;
        if (use.shortOfLeases()) {
            wanted = Math.max(wanted, Math.max(1, use.waiting()));
        }
        wanted = Math.min(Math.min(wanted, Math.max(0, cap - counted)), MAX_TAKE_PER_ROUND);
        int want = Math.min(wanted, Math.max(0, share - held.size()));
        List<Integer> take = new ArrayList<>();
        for (int slot = 0; slot < cap && take.size() < want && !seen.frozen(); slot++) {
            if (!held.contains(slot) && !seen.takenByOthers().contains(slot)) {
                take.add(slot);
            }
        }
        // Wanting more than it may take (none free, or its share reached) is waiting: the others then keep to
        // their shares too, and the one above its share gives back.
        waiting = take.size() < wanted;

        // 3. Shrink.
        if (now - windowStart >= idleNanos) {
            if (windowPeak < held.size()) {
                ceiling = Math.min(ceiling, Math.max(floor, windowPeak));
            }
            lastWindowPeak = windowPeak;
            windowStart = now;
            windowPeak = demand;
        }
        if (floor == 0 && demand == 0) {
            ceiling = 0;
        }
        if (held.size() > share) {
            ceiling = Math.min(ceiling, held.size() - 1);
        }
        if (!take.isEmpty()) {
            // More is wanted after all: no shrink.
            ceiling = Integer.MAX_VALUE;
        }
        // Slots beyond the cap allow nothing: the pools close the connections they covered as they come free.
        allowance = Math.min(counted, ceiling);
        return new Step(Collections.unmodifiableList(release), Collections.unmodifiableList(take), waiting);
    }

    /**
     * What this instance may hold of {@code slots} while other instances wait for leases: an equal share, filled
     * like water. An instance that holds leases and waits for none keeps what it holds where that is below the
     * level, and the rest is divided between this instance and the waiting ones (one that waits and holds none counts
     * as much as one that holds some: else two at half each would never make room for a third). Where the rest does
     * not divide evenly, an instance may hold one more than the lower share unless a waiting instance is still below
     * it, so that 10 slots over 3 busy instances settle at 4/3/3 and stay there instead of two of them trading the
     * spare slot. Never below {@code min}; without waiters elsewhere, no limit. The result is the most leases to
     * hold: no more are taken, and one above it is given back a round.
     */
    private int share(int slots, Observation seen) {
        if (seen.othersWaiting() == 0) {
            return Integer.MAX_VALUE;
        }
        int rest = slots;
        int sharing = 1 + seen.othersWaiting() + seen.contentHolding().size();
        for (int content : seen.contentHolding().stream().sorted().toList()) {
            if (content * sharing >= rest) {
                break;
            }
            rest -= content;
            sharing--;
        }
        int lower = Math.max(min, rest / sharing);
        int upper = Math.max(min, (rest + sharing - 1) / sharing);
        boolean belowLower = seen.waitersHolding().stream().anyMatch(n -> n < lower);
        return belowLower ? lower : upper;
    }

    /** Slots below {@code cap} that nobody holds; {@code counted}: this instance's held slots below it. */
    private int free(int cap, int counted, Observation seen) {
        int taken = counted;
        for (int slot : seen.takenByOthers()) {
            if (slot < cap && !held.contains(slot)) {
                taken++;
            }
        }
        return Math.max(0, cap - taken);
    }

    /**
     * The first round with a control connection again after a loss: try the slots held before, all at once and
     * before anything else, so the connections still open are covered again. Slots another instance took meanwhile
     * (one that did not see them held) are not; the pools close the connections beyond what was re-taken. A frozen
     * observation does not stop it: these slots' connections are open already.
     */
    private Step reclaimStep(Observation seen) {
        List<Integer> take = new ArrayList<>();
        for (int slot : reclaim) {
            if (!seen.takenByOthers().contains(slot)) {
                take.add(slot);
            }
        }
        reclaim.clear();
        standing = Standing.HOLDING;
        // Each slot re-taken raises the allowance again (took).
        allowance = 0;
        return new Step(List.of(), Collections.unmodifiableList(take), false);
    }

    /** A slot the round tried was taken: the pools may use it at once. */
    void took(int slot) {
        if (!held.add(slot)) {
            throw new IllegalStateException("slot " + slot + " of " + keys + " is held already");
        }
        allowance++;
    }

    /**
     * The control connection is gone, and with it every lock it held. With slots held and a reclaim timeout, the
     * pools keep the {@code open} connections they have (at most what was allowed) until {@code now} plus the
     * timeout, while the slots are re-taken; otherwise nothing is allowed until leases are taken again.
     */
    void lost(long now, int open) {
        if (standing == Standing.HOLDING && !held.isEmpty() && reclaimNanos > 0) {
            standing = Standing.RECLAIMING;
            reclaim.addAll(held);
            reclaimUntil = now + reclaimNanos;
            allowance = Math.min(allowance, open);
        } else if (standing != Standing.RECLAIMING) {
            standing = Standing.UNLEASED;
            allowance = 0;
        }
        held.clear();
        ceiling = Integer.MAX_VALUE;
        waiting = false;
        windowOpen = false;
    }

    /**
     * A round without a control connection: while reclaiming, the allowance follows the connections that close
     * (never rises, so nothing opens) until the deadline, after which nothing is allowed.
     */
    void disconnected(long now, int open) {
        if (standing == Standing.RECLAIMING && now - reclaimUntil < 0) {
            allowance = Math.min(allowance, open);
            return;
        }
        standing = Standing.UNLEASED;
        reclaim.clear();
        allowance = 0;
    }

    Standing standing() {
        return standing;
    }

    /** The connections the held leases allow now. */
    int allowance() {
        return allowance;
    }

    int heldCount() {
        return held.size();
    }

    NavigableSet<Integer> held() {
        return Collections.unmodifiableNavigableSet(held);
    }

    boolean isWaiting() {
        return waiting;
    }

    /** The budget's size the last round counted on: the smallest of this instance's and the others' files. */
    BudgetSize size() {
        return size;
    }

    LeaseKeys keys() {
        return keys;
    }
}
