package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LockTableTest {
    private static final LeaseKeys WEB = LeaseKeys.of("api", "tenant web on database app");
    private static final LeaseKeys OTHER = LeaseKeys.of("api", "database app");

    private static ControlConnection.Lock lock(int key, int slot, int pid, String app) {
        return new ControlConnection.Lock(key, slot, pid, app);
    }

    private final LockTable table = new LockTable(List.of(
            lock(WEB.key(), 0, 100, "pgmux a"),
            lock(WEB.key(), 1, 100, "pgmux a"),
            lock(WEB.key(), 2, 200, "pgmux b"),
            lock(WEB.demandKey(), 0, 200, "pgmux b"),
            lock(WEB.sizeKey(), new BudgetSize(6, 2).marker(), 100, "pgmux a"),
            lock(WEB.sizeKey(), new BudgetSize(9, 2).marker(), 200, "pgmux b"),
            lock(WEB.demandKey(), 0, 300, "pgmux c"),
            lock(OTHER.key(), 0, 300, "pgmux c"),
            lock(12345, 0, 400, "someone else")), 100);

    @Test
    void observesWhatOtherInstancesHoldAndWantLeavingItsOwnLocksOut() {
        LeaseBook.Observation seen = table.observe(WEB);
        assertEquals(Set.of(2), seen.takenByOthers());
        assertEquals(1, seen.othersHolding());
        assertEquals(2, seen.othersWaiting());
        assertEquals(2, seen.othersSharing(), "b holds and waits, c waits: two instances share the budget with a");
        assertEquals(2, table.instances(WEB));
        assertEquals(List.of(0, 1), seen.waitersHolding().stream().sorted().toList(), "b holds one, c none");
        assertEquals(List.of(), seen.contentHolding());
        assertEquals(List.of(1), table.observe(OTHER).contentHolding(), "c holds one and waits for none");
    }

    @Test
    void readsTheSizesOtherInstancesAdvertiseAndKeepsTheSmallerOfTwoFromOne() {
        assertEquals(Map.of("b (pid 200)", new BudgetSize(9, 2)), table.sizes(WEB));
        assertEquals(List.of(new BudgetSize(9, 2)), table.observe(WEB).othersSizes());
        LockTable switching = new LockTable(List.of(
                lock(WEB.sizeKey(), new BudgetSize(10, 2).marker(), 200, "pgmux b"),
                lock(WEB.sizeKey(), new BudgetSize(6, 2).marker(), 200, "pgmux b")), 100);
        assertEquals(Map.of("b (pid 200)", new BudgetSize(6, 2)), switching.sizes(WEB), "a reload under way");
    }

    @Test
    void aSizeMarkerPacksBothNumbersAndTheSmallestIsTakenPerPart() {
        assertEquals(new BudgetSize(12, 0), BudgetSize.ofMarker(new BudgetSize(12, 0).marker()));
        assertEquals(new BudgetSize(32767, 5), BudgetSize.ofMarker(new BudgetSize(40000, 5).marker()));
        assertEquals(new BudgetSize(6, 4), new BudgetSize(9, 2).smallest(List.of(new BudgetSize(6, 4),
                new BudgetSize(10, 0))), "fewest normal slots 6, fewest in all 10");
        assertEquals("6+2", new BudgetSize(6, 2).toString());
    }

    @Test
    void showFleetHasOneLinePerInstanceAndBudgetIgnoringForeignLocks() {
        List<FleetRow> rows = table.rows("db:5432", Map.of("tenant web on database app", WEB, "database app",
                OTHER));
        assertEquals(List.of(
                new FleetRow("db:5432", "a", 100, "tenant web on database app", 2, false, true,
                        Optional.of(new BudgetSize(6, 2))),
                new FleetRow("db:5432", "b", 200, "tenant web on database app", 1, true, false,
                        Optional.of(new BudgetSize(9, 2))),
                new FleetRow("db:5432", "c", 300, "tenant web on database app", 0, true, false,
                        Optional.empty()),
                new FleetRow("db:5432", "c", 300, "database app", 1, false, false, Optional.empty())), rows);
    }
}
