package io.pgmux.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
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
    private final LockTable before = new LockTable(List.of(
            lock(WEB, 0, 100), lock(WEB, 1, 100), lock(DB, 0, 100),
            lock(WEB, 2, 200), lock(WEB, 3, 300),
            new ControlConnection.Lock(WEB.demandKey(), 0, 400, "pgmux 400"),
            new ControlConnection.Lock(777, 5, 500, "another application")), 100);

    @Test
    void backendsHoldingNoLockAnyMoreAreCandidatesButNeverThisInstancesOwn() {
        // 100 (this instance's old control connection) and 200 vanished; 300 holds its slot; 400 only waited;
        // 500 holds none of the fleet's keys. The new table is read on this instance's new backend, 600.
        LockTable after = new LockTable(List.of(lock(WEB, 3, 300), lock(WEB, 0, 600)), 600);
        assertEquals(Set.of(200), Quarantine.vanished(before, after, KEYS));
    }

    @Test
    void theSlotsOfADeadInstanceCountAsTakenUntilTheWaitIsOver() {
        LockTable asSeenByOthers = new LockTable(before.locks(), 300);
        assertEquals(3, quarantine.leave(asSeenByOthers, Set.of(100), KEYS, 1_000));
        LeaseBook.Observation seen = quarantine.apply(WEB, new LeaseBook.Observation(Set.of(3), 1, 0));
        assertEquals(Set.of(0, 1, 3), seen.takenByOthers());
        assertEquals(Set.of(0), quarantine.apply(DB, LeaseBook.Observation.NONE).takenByOthers());
        quarantine.expire(1_000 + WAIT - 1);
        assertEquals(3, quarantine.size());
        quarantine.expire(1_000 + WAIT);
        assertEquals(0, quarantine.size());
        LeaseBook.Observation free = new LeaseBook.Observation(Set.of(3), 1, 0);
        assertSame(free, quarantine.apply(WEB, free), "nothing left alone: the observation as it was");
    }
}
