package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.LeasedBudgets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaseBookTest {
    private static final long IDLE = TimeUnit.SECONDS.toNanos(30);
    private static final long RECLAIM = TimeUnit.SECONDS.toNanos(3);
    private static final LeaseBook.Observation ALONE = LeaseBook.Observation.NONE;

    private final LeaseBook book = new LeaseBook(LeaseKeys.of("api", "tenant web on database app"), 1, IDLE,
            RECLAIM);
    private long now = 1_000;

    /** limit 6, no reserve; {@code used} open of which {@code idle} idle; {@code waiting} clients waiting. */
    private static LeasedBudgets.Use use(int used, int idle, int leased, int waiting) {
        return new LeasedBudgets.Use("tenant web on database app", 6, 0, used, idle, leased, waiting,
                waiting > 0 && used >= leased, false);
    }

    private LeaseBook.Step round(LeasedBudgets.Use use, LeaseBook.Observation seen) {
        LeaseBook.Step step = book.plan(now, use, seen);
        step.take().forEach(book::took);
        return step;
    }

    @Test
    void takesItsMinimumAtOnceWithoutWaiters() {
        LeaseBook.Step step = round(use(0, 0, 0, 0), ALONE);
        assertEquals(List.of(0), step.take());
        assertEquals(1, book.allowance());
        assertFalse(step.waiting());
    }

    @Test
    void waitingClientsTakeFreeSlotsBoundedPerRoundAndNeverBeyondTheBudget() {
        round(use(0, 0, 0, 0), ALONE);
        LeaseBook.Step step = round(use(1, 0, 1, 10), ALONE);
        assertEquals(List.of(1, 2, 3, 4), step.take(), "at most four a round");
        step = round(use(5, 0, 5, 6), ALONE);
        assertEquals(List.of(5), step.take(), "the budget has six slots");
        step = round(use(6, 0, 6, 5), ALONE);
        assertEquals(List.of(), step.take());
        assertEquals(6, book.allowance());
    }

    @Test
    void skipsSlotsOthersHoldAndSaysItWaitsWhenNoneAreFree() {
        LeaseBook.Observation othersHoldFive = new LeaseBook.Observation(Set.of(0, 1, 2, 4, 5), 2, 0, 2);
        LeaseBook.Step step = round(use(0, 0, 0, 3), othersHoldFive);
        assertEquals(List.of(3), step.take());
        assertTrue(step.waiting(), "wanted more than was free");
        step = round(use(1, 0, 1, 2), othersHoldFive);
        assertEquals(List.of(), step.take());
        assertTrue(step.waiting());
    }

    @Test
    void takesNoMoreAtItsFairShareWhileOthersWait() {
        // Three instances; fair share of six slots is two.
        round(use(0, 0, 0, 3), ALONE);
        assertEquals(3, book.heldCount());
        LeaseBook.Observation othersWait = new LeaseBook.Observation(Set.of(5), 1, 2, 2);
        LeaseBook.Step step = round(use(3, 0, 3, 4), othersWait);
        assertEquals(List.of(), step.take());
        assertEquals(2, book.allowance(), "above its share with others waiting: gives one back");
        // The connection above the allowance is still open: the lease stays until it has closed.
        step = round(use(3, 0, 2, 4), othersWait);
        assertEquals(List.of(), step.release());
        step = round(use(2, 0, 2, 4), othersWait);
        assertEquals(List.of(2), step.release(), "released only after its connection closed");
        assertEquals(2, book.heldCount());
    }

    @Test
    void twoInstancesAtHalfEachMakeRoomForAThirdThatHoldsNone() {
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 2), ALONE);
        assertEquals(3, book.heldCount());
        // The other half is b's; c holds none and waits for its first lease.
        LeaseBook.Observation bHoldsCWaits = new LeaseBook.Observation(Set.of(3, 4, 5), 1, 1, 2, false, List.of(0),
                List.of(3), List.of());
        round(use(3, 0, 3, 5), bHoldsCWaits);
        assertEquals(2, book.allowance(), "three instances share six slots: two each");
    }

    @Test
    void givesBackLeasesIdleForTheTimeoutButKeepsItsMinimum() {
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 3), ALONE);
        assertEquals(4, book.heldCount());
        now += IDLE / 2;
        round(use(4, 4, 4, 0), ALONE);
        assertEquals(4, book.allowance(), "the window still holds the burst");
        now += IDLE;
        round(use(4, 4, 4, 0), ALONE);
        assertEquals(4, book.allowance(), "the burst was within this window");
        now += IDLE;
        round(use(4, 4, 4, 0), ALONE);
        assertEquals(1, book.allowance(), "a whole window idle: down to the minimum");
        LeaseBook.Step step = round(use(1, 1, 1, 0), ALONE);
        assertEquals(List.of(3, 2, 1), step.release(), "given back once the connections closed");
        assertEquals(Set.of(0), book.held());
    }

    @Test
    void aShrinkWaitingForBusyConnectionsIsKeptUntilTheyHaveClosed() {
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 3), ALONE);
        now += IDLE;
        round(use(4, 4, 4, 0), ALONE);
        assertEquals(4, book.allowance(), "the burst was within the first window");
        now += IDLE;
        round(use(4, 4, 4, 0), ALONE);
        assertEquals(1, book.allowance(), "a whole window idle");
        // The idle connections are closing but still count: later rounds keep the lower allowance.
        for (int i = 0; i < 3; i++) {
            LeaseBook.Step step = round(use(4, 0, 1, 0), ALONE);
            assertEquals(List.of(), step.release());
            assertEquals(1, book.allowance());
        }
        assertEquals(List.of(3, 2, 1), round(use(1, 1, 1, 0), ALONE).release());
        assertEquals(1, book.allowance());
    }

    @Test
    void neverReleasesALeaseWhoseConnectionIsStillOpen() {
        LeaseBook unreclaimed = new LeaseBook(LeaseKeys.of("api", "tenant web on database app"), 1, IDLE, 0);
        unreclaimed.plan(now, use(0, 0, 0, 0), ALONE).take().forEach(unreclaimed::took);
        unreclaimed.plan(now, use(1, 0, 1, 3), ALONE).take().forEach(unreclaimed::took);
        unreclaimed.lost(now, 4);
        assertEquals(0, unreclaimed.allowance(), "no reclaim timeout: nothing is allowed once the locks are gone");
        assertEquals(LeaseBook.Standing.UNLEASED, unreclaimed.standing());
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 3), ALONE);
        book.lost(now, 4);
        now += RECLAIM;
        book.disconnected(now, 4);
        assertEquals(0, book.allowance(), "past the reclaim timeout nothing is allowed");
        // Four connections from before the loss are still open: new leases cover them, none is given back.
        LeaseBook.Step step = round(use(4, 0, 0, 0), ALONE);
        assertEquals(List.of(0), step.take());
        assertEquals(List.of(), step.release());
        step = round(use(4, 0, 1, 0), ALONE);
        assertEquals(List.of(), step.release());
    }

    @Test
    void aLostControlConnectionKeepsTheOpenConnectionsAndTakesTheSameSlotsBackFirst() {
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 4), ALONE);
        assertEquals(Set.of(0, 1, 2, 3, 4), book.held());
        book.lost(now, 4);
        assertEquals(LeaseBook.Standing.RECLAIMING, book.standing());
        assertEquals(4, book.allowance(), "serves on the four connections open, opens no fifth");
        now += RECLAIM / 3;
        book.disconnected(now, 3);
        assertEquals(3, book.allowance(), "follows the connections that close, never rises");
        book.disconnected(now, 5);
        assertEquals(3, book.allowance());
        // Reconnected: slot 2 was taken by an instance that had not seen it held.
        LeaseBook.Step step = round(use(3, 0, 3, 2), new LeaseBook.Observation(Set.of(2), 1, 0, 1));
        assertEquals(List.of(0, 1, 3, 4), step.take(), "the slots held before, all at once and nothing else");
        assertEquals(List.of(), step.release());
        assertEquals(LeaseBook.Standing.HOLDING, book.standing());
        assertEquals(4, book.allowance(), "what was taken back");
        assertEquals(Set.of(0, 1, 3, 4), book.held());
    }

    @Test
    void aFrozenObservationTakesNothingNotEvenTheMinimumButAReclaimGoesOn() {
        LeaseBook.Observation frozen = new LeaseBook.Observation(Set.of(), 1, 0, 1, true);
        LeaseBook.Step step = round(use(0, 0, 0, 3), frozen);
        assertEquals(List.of(), step.take());
        assertTrue(step.waiting());
        step = round(use(0, 0, 0, 3), ALONE);
        assertEquals(List.of(0, 1, 2), step.take());
        book.lost(now, 3);
        step = round(use(3, 0, 3, 0), frozen);
        assertEquals(List.of(0, 1, 2), step.take(), "its own slots, whose connections are open");
    }

    @Test
    void aReclaimThatTimesOutAllowsNothingAndStartsFromZero() {
        round(use(0, 0, 0, 0), ALONE);
        round(use(1, 0, 1, 2), ALONE);
        book.lost(now, 3);
        book.disconnected(now + RECLAIM - 1, 3);
        assertEquals(3, book.allowance());
        book.disconnected(now + RECLAIM, 3);
        assertEquals(0, book.allowance());
        assertEquals(LeaseBook.Standing.UNLEASED, book.standing());
        now += RECLAIM;
        LeaseBook.Step step = round(use(3, 0, 0, 1), ALONE);
        assertEquals(List.of(0), step.take(), "from zero: the minimum and one waiter, as any other round");
    }

    @Test
    void losingTheConnectionAgainWhileReclaimingKeepsTheFirstDeadline() {
        round(use(0, 0, 0, 0), ALONE);
        book.lost(now, 1);
        book.lost(now + RECLAIM / 2, 1);
        book.disconnected(now + RECLAIM, 1);
        assertEquals(0, book.allowance());
    }

    @Test
    void reserveSlotsOnlyForClientsThatWaitedReservePoolTimeout() {
        LeaseBook reserveBook = new LeaseBook(LeaseKeys.of("api", "t"), 0, IDLE, RECLAIM);
        LeasedBudgets.Use normal = new LeasedBudgets.Use("t", 2, 2, 2, 0, 2, 5, true, false);
        reserveBook.plan(now, new LeasedBudgets.Use("t", 2, 2, 0, 0, 0, 5, true, false), ALONE).take()
                .forEach(reserveBook::took);
        assertEquals(2, reserveBook.heldCount());
        assertEquals(List.of(), reserveBook.plan(now, normal, ALONE).take());
        LeasedBudgets.Use longWait = new LeasedBudgets.Use("t", 2, 2, 2, 0, 2, 5, true, true);
        assertEquals(List.of(2, 3), reserveBook.plan(now, longWait, ALONE).take());
    }

    /** web after a reload from pool_size 10 to 6 with reserve_pool_size 2; no pool waited reserve_pool_timeout. */
    private static LeasedBudgets.Use shrunk(int used, int leased, int waiting, boolean reserveWanted) {
        return new LeasedBudgets.Use("tenant web on database app", 6, 2, used, 0, leased, waiting,
                waiting > 0 && used >= leased, reserveWanted);
    }

    @Test
    void slotsThatAReloadTurnedIntoReserveAreGivenBackOnceTheirConnectionsClose() {
        // Taken as normal slots of a budget of 10; the other instance holds 0, 2, 3 and 4.
        List.of(1, 5, 6, 7).forEach(book::took);
        LeaseBook.Observation other = new LeaseBook.Observation(Set.of(0, 2, 3, 4), 1, 0, 1, false, List.of(),
                List.of(4), List.of());
        LeaseBook.Step step = round(shrunk(4, 4, 3, false), other);
        assertEquals(List.of(), step.release(), "their connections are still open");
        assertEquals(List.of(), step.take(), "no normal slot is free");
        assertEquals(2, book.allowance(), "slots 6 and 7 are reserve slots now and allow nothing");
        step = round(shrunk(3, 2, 4, false), other);
        assertEquals(List.of(7), step.release(), "one connection closed: its slot goes back");
        step = round(shrunk(2, 2, 5, false), other);
        assertEquals(List.of(6), step.release());
        assertEquals(Set.of(1, 5), book.held());
        assertEquals(2, book.allowance());
        assertTrue(step.waiting(), "still wants more, as a waiting instance");
    }

    @Test
    void reserveSlotsAreKeptWhileAPoolWantsTheReserveAndGoBackWhenItNoLongerDoes() {
        LeaseBook.Observation other = new LeaseBook.Observation(Set.of(0, 2, 3, 4), 1, 0, 1, false, List.of(),
                List.of(4), List.of());
        List.of(1, 5).forEach(book::took);
        LeaseBook.Step step = round(shrunk(2, 2, 3, true), other);
        assertEquals(List.of(6, 7), step.take(), "a client waited reserve_pool_timeout");
        assertEquals(4, book.allowance());
        step = round(shrunk(4, 4, 1, true), other);
        assertEquals(List.of(), step.release());
        assertEquals(4, book.allowance(), "kept while the reserve is wanted");
        step = round(shrunk(4, 4, 0, false), other);
        assertEquals(2, book.allowance(), "the queue is gone: the reserve connections close as they come free");
        step = round(shrunk(2, 2, 0, false), other);
        assertEquals(List.of(7, 6), step.release());
        assertEquals(Set.of(1, 5), book.held());
    }

    @Test
    void whereFilesDisagreeTheSmallestSizeAnyInstanceAdvertisesHolds() {
        // This file says pool_size 9 + 2; the other instance's says 6 + 2 and it holds slots 0 to 2.
        LeaseBook.Observation smaller = new LeaseBook.Observation(Set.of(0, 1, 2), 1, 0, 1, false, List.of(),
                List.of(3), List.of(new BudgetSize(6, 2)));
        LeasedBudgets.Use nine = new LeasedBudgets.Use("tenant web on database app", 9, 2, 0, 0, 0, 8, true, false);
        LeaseBook.Step step = round(nine, smaller);
        assertEquals(List.of(3, 4, 5), step.take(), "no slot at or beyond 6");
        assertTrue(step.waiting());
        assertEquals(new BudgetSize(6, 2), book.size());
        LeasedBudgets.Use reserve = new LeasedBudgets.Use("tenant web on database app", 9, 2, 3, 0, 3, 5, true,
                true);
        assertEquals(List.of(6, 7), round(reserve, smaller).take(), "the smallest reserve after it, 6 + 2 in all");
        assertEquals(List.of(), round(reserve, smaller).take());
        // The other instance is gone (or runs this file now): the budget is this file's again.
        assertEquals(List.of(0, 1, 2, 8), round(reserve, ALONE).take());
        assertEquals(new BudgetSize(9, 2), book.size());
    }

    @Test
    void aLargerSizeElsewhereChangesNothing() {
        LeaseBook.Observation larger = new LeaseBook.Observation(Set.of(), 1, 0, 1, false, List.of(), List.of(0),
                List.of(new BudgetSize(20, 0)));
        LeaseBook.Step step = round(use(0, 0, 0, 10), larger);
        assertEquals(List.of(0, 1, 2, 3), step.take());
        assertEquals(new BudgetSize(6, 0), book.size());
    }

    @Test
    void aSlotCannotBeTakenTwice() {
        book.took(3);
        assertThrows(IllegalStateException.class, () -> book.took(3));
    }

    @Test
    void keysAreStableAndDifferPerFleetAndBudget() {
        assertEquals(LeaseKeys.of("api", "b"), LeaseKeys.of("api", "b"));
        assertFalse(LeaseKeys.of("api", "b").key() == LeaseKeys.of("web", "b").key());
        assertFalse(LeaseKeys.of("api", "b").key() == LeaseKeys.of("api", "b").demandKey());
    }
}
