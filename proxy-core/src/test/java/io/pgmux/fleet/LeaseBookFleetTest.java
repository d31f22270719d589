package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmux.pool.LeasedBudgets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several instances' books of one budget against one slot table, as the advisory locks of one database would be,
 * over many rounds: what the fleet converges to and what it never exceeds. Each instance's pools are modelled as
 * busy clients that take every connection allowed and always want more (pgbench without think time), opening and
 * closing connections between rounds.
 */
class LeaseBookFleetTest {
    private static final long IDLE = TimeUnit.SECONDS.toNanos(30);
    private static final long ROUND = TimeUnit.MILLISECONDS.toNanos(100);

    /** One instance: its book, its clients, the connections its pools have open, whether it waits. */
    private static final class Instance {
        final int pid;
        final LeaseBook book;
        int clients;
        int open;
        boolean waiting;

        Instance(int pid, int min, long idle) {
            this.pid = pid;
            this.book = new LeaseBook(LeaseKeys.of("api", "tenant web on database app"), min, idle, 0);
        }

        int held() {
            return book.heldCount();
        }
    }

    /** A budget's slots (its advisory locks) and the instances sharing them. */
    private static final class Fleet {
        private int limit;
        private final int reserve;
        /** lease_idle_timeout of every instance. */
        private long idle = IDLE;
        /** Whether every moment must stay within the budget: not right after a reload shrank it. */
        private boolean strict = true;
        private final Map<Integer, Instance> slots = new HashMap<>();
        private final List<Instance> fleet = new ArrayList<>();
        private long now = 1_000;

        Fleet(int limit, int reserve) {
            this.limit = limit;
            this.reserve = reserve;
        }

        private Instance join(int clients, int min) {
            Instance each = new Instance(100 + fleet.size(), min, idle);
            each.clients = clients;
            fleet.add(each);
            return each;
        }

        /** What the others' locks show {@code self}, as {@link LockTable#observe} reads them. */
        private LeaseBook.Observation observe(Instance self) {
            Set<Integer> taken = new HashSet<>();
            Set<Integer> holders = new HashSet<>();
            slots.forEach((slot, holder) -> {
                if (holder != self) {
                    taken.add(slot);
                    holders.add(holder.pid);
                }
            });
            List<Integer> waitersHolding = new ArrayList<>();
            List<Integer> contentHolding = new ArrayList<>();
            Set<Integer> sharing = new HashSet<>(holders);
            for (Instance other : fleet) {
                if (other != self && other.waiting) {
                    waitersHolding.add(other.held());
                    sharing.add(other.pid);
                } else if (other != self && other.held() > 0) {
                    contentHolding.add(other.held());
                }
            }
            return new LeaseBook.Observation(taken, holders.size(), waitersHolding.size(), sharing.size(), false,
                    waitersHolding, contentHolding, List.of());
        }

        /** A round of every instance, one after another, each acting on the locks as the ones before left them. */
        private void round() {
            now += ROUND;
            for (Instance each : fleet) {
                // Between rounds the pools follow the allowance: busy clients fill it, connections beyond it close.
                each.open = Math.min(each.clients, each.book.allowance());
                int waiters = each.clients - each.open;
                LeasedBudgets.Use use = new LeasedBudgets.Use("tenant web on database app", limit, reserve, each.open,
                        0, each.book.allowance(), waiters, waiters > 0 && each.open >= each.book.allowance(), false);
                LeaseBook.Step step = each.book.plan(now, use, observe(each));
                for (int slot : step.release()) {
                    assertEquals(each, slots.remove(slot), "gave back a slot it held");
                }
                for (int slot : step.take()) {
                    if (!slots.containsKey(slot)) {
                        slots.put(slot, each);
                        each.book.took(slot);
                    }
                }
                each.waiting = step.waiting();
                assertTrue(!strict || slots.size() <= limit, "no reserve was wanted, yet " + slots.size() + " slots are held");
                int connections = fleet.stream().mapToInt(i -> i.open).sum();
                assertTrue(connections <= slots.size(), connections + " connections on " + slots.size() + " slots");
            }
        }

        private List<Integer> held() {
            return fleet.stream().map(Instance::held).toList();
        }
        }

    private final Fleet sim = new Fleet(10, 2);

    @Test
    void threeBusyInstancesSettleAtFourThreeThreeAndStayThere() {
        sim.join(8, 1);
        sim.join(8, 1);
        for (int i = 0; i < 20; i++) {
            sim.round();
        }
        assertEquals(List.of(5, 5), sim.held(), "two instances split the ten ordinary slots");
        sim.join(8, 1);
        int rounds = 0;
        while (!isFair(sim.held()) && rounds < 30) {
            sim.round();
            rounds++;
        }
        assertTrue(isFair(sim.held()), "after " + rounds + " rounds: " + sim.held());
        assertTrue(rounds <= 10, "took " + rounds + " rounds");
        List<Integer> settled = sim.held();
        for (int i = 0; i < 200; i++) {
            sim.round();
            assertEquals(settled, sim.held(), "no slot changes hands once fair (round " + i + ")");
        }
        assertEquals(10, settled.stream().mapToInt(Integer::intValue).sum(), "every ordinary slot in use");
    }

    @Test
    void theSurvivorsOfAKilledInstanceShareItsSlotsAndANewcomerGetsItsShare() {
        Instance a = sim.join(8, 1);
        sim.join(8, 1);
        Instance c = sim.join(8, 1);
        for (int i = 0; i < 30; i++) {
            sim.round();
        }
        assertTrue(isFair(sim.held()), sim.held().toString());
        // c dies: the database frees its locks.
        sim.fleet.remove(c);
        sim.slots.values().removeIf(holder -> holder == c);
        for (int i = 0; i < 30; i++) {
            sim.round();
        }
        assertEquals(List.of(5, 5), sim.held());
        // A restarted instance joins with nothing.
        sim.join(8, 1);
        for (int i = 0; i < 30; i++) {
            sim.round();
        }
        assertTrue(isFair(sim.held()), sim.held().toString());
        assertTrue(a.held() <= 4);
    }

    @Test
    void anInstanceWithFewClientsLeavesTheRestToTheBusyOnes() {
        sim.join(8, 1);
        sim.join(8, 1);
        sim.join(1, 1);
        for (int i = 0; i < 40; i++) {
            sim.round();
        }
        List<Integer> settled = sim.held();
        assertEquals(1, settled.get(2));
        assertEquals(9, settled.get(0) + settled.get(1), "the slots the quiet one does not want are used: "
                + settled);
        for (int i = 0; i < 100; i++) {
            sim.round();
            assertEquals(settled, sim.held());
        }
    }

    @Test
    void aShareIsTheOrdinarySlotsSplitRoundingDownNotTheReserveToo() {
        for (int instances = 2; instances <= 5; instances++) {
            Fleet seven = new Fleet(7, 3);
            for (int i = 0; i < instances; i++) {
                seven.join(6, 0);
            }
            for (int i = 0; i < 60; i++) {
                seven.round();
            }
            List<Integer> settled = seven.held();
            assertEquals(7, settled.stream().mapToInt(Integer::intValue).sum(), settled.toString());
            assertTrue(settled.stream().allMatch(n -> n == 7 / settled.size() || n == 7 / settled.size() + 1),
                    instances + " instances: " + settled);
        }
    }

    @Test
    void aReloadThatShrinksTheBudgetBringsTheFleetWithinItAsConnectionsClose() {
        sim.join(8, 1);
        sim.join(8, 1);
        for (int i = 0; i < 20; i++) {
            sim.round();
        }
        assertEquals(List.of(5, 5), sim.held());
        // pool_size 10 -> 6 on both: slots 6 to 9 are reserve or beyond now, and no pool waited for the reserve.
        sim.limit = 6;
        sim.strict = false;
        for (int i = 0; i < 3; i++) {
            sim.round();
        }
        sim.strict = true;
        for (int i = 0; i < 50; i++) {
            sim.round();
            assertTrue(sim.slots.keySet().stream().allMatch(slot -> slot < 6), sim.slots.keySet().toString());
        }
        assertEquals(List.of(3, 3), sim.held());
    }

    @Test
    void idleInstancesLeaveTheirMinimumToABusyOneAfterAnIdleWindowAndTakeItBackForAClient() {
        // workers: pool_size 4, min_leases 1, three instances, the load on one (TPC-B -c 8).
        Fleet workers = new Fleet(4, 0);
        workers.idle = 10 * ROUND;
        Instance quiet = workers.join(0, 1);
        workers.join(0, 1);
        Instance busy = workers.join(8, 1);
        workers.round();
        assertEquals(List.of(1, 1, 2), workers.held(), "the idle ones take their minimum at once");
        for (int i = 0; i < 30; i++) {
            workers.round();
        }
        assertEquals(List.of(0, 0, 4), workers.held(), "after a whole idle window the idle ones keep none");
        for (int i = 0; i < 30; i++) {
            workers.round();
            assertEquals(4, busy.held(), "round " + i + ": " + workers.held() + " " + busy.book.allowance()
                    + " waiting " + workers.fleet.stream().map(f -> f.waiting).toList());
        }
        // A client comes to the quiet instance: it takes a lease again, the busy one giving one back.
        quiet.clients = 1;
        int rounds = 0;
        while (quiet.open == 0 && rounds < 20) {
            workers.round();
            rounds++;
        }
        assertEquals(1, quiet.open, "served after " + rounds + " rounds");
        assertTrue(rounds <= 5, "served after " + rounds + " rounds");
        for (int i = 0; i < 10; i++) {
            workers.round();
        }
        assertEquals(List.of(1, 0, 3), workers.held());
    }

    @Test
    void withoutAnotherInstanceWaitingAnIdleInstanceKeepsItsMinimum() {
        Fleet workers = new Fleet(4, 0);
        workers.idle = 10 * ROUND;
        workers.join(2, 1);
        workers.join(0, 1);
        for (int i = 0; i < 60; i++) {
            workers.round();
        }
        assertEquals(List.of(2, 1), workers.held(), "nobody waits: the minimum stays for the first client");
    }

    /** Every instance within one of the others: the ordinary slots split as evenly as they can be. */
    private static boolean isFair(List<Integer> held) {
        int lowest = held.stream().mapToInt(Integer::intValue).min().orElse(0);
        int highest = held.stream().mapToInt(Integer::intValue).max().orElse(0);
        return highest - lowest <= 1 && held.stream().mapToInt(Integer::intValue).sum() == 10;
    }
}
