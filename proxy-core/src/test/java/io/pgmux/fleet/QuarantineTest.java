package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuarantineTest {
    private static final LeaseKeys WEB = LeaseKeys.of("api", "tenant web on database app");
    private static final LeaseKeys DB = LeaseKeys.of("api", "database app");
    private static final Set<Integer> KEYS = Set.of(WEB.key(), DB.key());
    private static final long WAIT = 3_200;

    private static ControlConnection.Lock lock(LeaseKeys keys, int slot, int pid) {
        return new ControlConnection.Lock(keys.key(), slot, pid, "pgmux " + pid);
    }

    private final Quarantine quarantine = new Quarantine(WAIT);
    /** As instance 300 saw the upstream: 100 holds three slots, 200 one, itself one; 400 waits; 500 is foreign. */
    private final LockTable before = new LockTable(List.of(
            lock(WEB, 0, 100), lock(WEB, 1, 100), lock(DB, 0, 100),
            lock(WEB, 2, 200), lock(WEB, 3, 300),
            new ControlConnection.Lock(WEB.demandKey(), 0, 400, "pgmux 400"),
            new ControlConnection.Lock(777, 5, 500, "another application")), 300);
    /** A round later: 100 and 200 hold nothing. */
    private final LockTable after = new LockTable(List.of(lock(WEB, 3, 300)), 300);

    @Test
    void backendsHoldingNoLockAnyMoreAreCandidatesButNeverThisInstancesOwn() {
        // 100 (this instance's old control connection) and 200 vanished; 300 holds its slot; 400 only waited;
        // 500 holds none of the fleet's keys. The new table is read on this instance's new backend, 600.
        LockTable own = new LockTable(before.locks(), 100);
        LockTable reconnected = new LockTable(List.of(lock(WEB, 3, 300), lock(WEB, 0, 600)), 600);
        assertEquals(Set.of(200), Quarantine.vanished(own, reconnected, KEYS));
    }

    @Test
    void aVanishedBackendGoneFromTheViewLeavesItsSlotsAloneAndFreezesEveryBudgetUntilTheWaitIsOver() {
        quarantine.suspect(before, after, KEYS);
        assertEquals(Set.of(100, 200), quarantine.suspects());
        assertTrue(quarantine.frozen(), "while the suspects are judged nothing free is taken");
        // 100 is gone; 200's pid now belongs to another backend.
        Quarantine.Judged judged = quarantine.judge(Map.of(200, "psql"), KEYS, 1_000);
        assertEquals(4, judged.slots());
        assertEquals(Set.of("100", "200"), Set.copyOf(judged.instances()));
        assertEquals(Set.of(), quarantine.suspects());
        LeaseBook.Observation seen = quarantine.apply(WEB, new LeaseBook.Observation(Set.of(3), 1, 0, 1));
        assertEquals(Set.of(0, 1, 2, 3), seen.takenByOthers());
        assertTrue(seen.frozen());
        assertEquals(Set.of(0), quarantine.apply(DB, LeaseBook.Observation.NONE).takenByOthers());
        quarantine.expire(1_000 + WAIT - 1);
        assertEquals(4, quarantine.size());
        assertTrue(quarantine.frozen());
        quarantine.expire(1_000 + WAIT);
        assertEquals(0, quarantine.size());
        assertFalse(quarantine.frozen());
        LeaseBook.Observation free = new LeaseBook.Observation(Set.of(3), 1, 0, 1);
        assertSame(free, quarantine.apply(WEB, free), "nothing left alone: the observation as it was");
    }

    @Test
    void aSuspectStillInTheViewARoundLaterGaveItsSlotsBackAlive() {
        quarantine.suspect(before, after, KEYS);
        Map<Integer, String> bothThere = Map.of(100, "pgmux 100", 200, "pgmux 200");
        // Its locks may go a moment before its backend leaves the view: asked once, it is not judged yet.
        assertEquals(0, quarantine.judge(bothThere, KEYS, 1_000).slots());
        assertEquals(Set.of(100, 200), quarantine.suspects());
        assertTrue(quarantine.frozen());
        // 200 was dying after all; 100 is still there: alive, it gave its slots back.
        assertEquals(1, quarantine.judge(Map.of(100, "pgmux 100"), KEYS, 1_050).slots());
        assertEquals(Set.of(), quarantine.suspects());
        assertEquals(Set.of(2), quarantine.apply(WEB, LeaseBook.Observation.NONE).takenByOthers());
    }

    @Test
    void aRestartForgetsEverything() {
        quarantine.suspect(before, after, KEYS);
        quarantine.judge(Map.of(), KEYS, 1_000);
        quarantine.clear();
        assertFalse(quarantine.frozen());
        assertEquals(0, quarantine.size());
    }
}
