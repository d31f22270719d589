package io.pgmux.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmux.testing.UnpooledSlot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server connection's life as a table of moves: every move the table allows works, every other one throws from
 * {@link ServerSlot#changeState} and leaves the state as it was.
 */
class ServerStateTest {
    /** The moves a pool makes, written out here so that a change to the table is a deliberate one. */
    private static final Map<ServerState, Set<ServerState>> LEGAL = new EnumMap<>(ServerState.class);

    static {
        LEGAL.put(ServerState.CONNECTING, EnumSet.of(ServerState.LOGIN, ServerState.CLOSED));
        LEGAL.put(ServerState.LOGIN, EnumSet.of(ServerState.IDLE, ServerState.ACTIVE, ServerState.CLOSING,
                ServerState.CLOSED));
        LEGAL.put(ServerState.IDLE, EnumSet.of(ServerState.ACTIVE, ServerState.CHECKING, ServerState.CLOSING,
                ServerState.CLOSED));
        LEGAL.put(ServerState.ACTIVE, EnumSet.of(ServerState.IDLE, ServerState.ACTIVE, ServerState.RESETTING,
                ServerState.BEING_CANCELED, ServerState.CLOSING, ServerState.CLOSED));
        LEGAL.put(ServerState.RESETTING, EnumSet.of(ServerState.IDLE, ServerState.ACTIVE, ServerState.BEING_CANCELED,
                ServerState.CLOSING, ServerState.CLOSED));
        LEGAL.put(ServerState.CHECKING, EnumSet.of(ServerState.IDLE, ServerState.ACTIVE, ServerState.CLOSING,
                ServerState.CLOSED));
        LEGAL.put(ServerState.BEING_CANCELED, EnumSet.of(ServerState.IDLE, ServerState.ACTIVE, ServerState.CLOSING,
                ServerState.CLOSED));
        LEGAL.put(ServerState.CLOSING, EnumSet.of(ServerState.CLOSED));
        LEGAL.put(ServerState.CLOSED, EnumSet.noneOf(ServerState.class));
    }

    /** A slot the test moves by hand. */
    private static final class Slot extends UnpooledSlot {
        void move(ServerState next) {
            changeState(next);
        }
    }

    /** A slot brought to {@code state} by legal moves from CONNECTING, the shortest way. */
    private static Slot slotIn(ServerState state) {
        Slot slot = new Slot();
        for (ServerState each : pathTo(state)) {
            slot.move(each);
        }
        assertEquals(state, slot.state());
        return slot;
    }

    private static List<ServerState> pathTo(ServerState target) {
        Map<ServerState, ServerState> cameFrom = new EnumMap<>(ServerState.class);
        ArrayDeque<ServerState> queue = new ArrayDeque<>(List.of(ServerState.CONNECTING));
        Set<ServerState> seen = EnumSet.of(ServerState.CONNECTING);
        while (!queue.isEmpty()) {
            ServerState at = queue.poll();
            for (ServerState next : LEGAL.get(at)) {
                if (seen.add(next)) {
                    cameFrom.put(next, at);
                    queue.add(next);
                }
            }
        }
        if (target != ServerState.CONNECTING && !cameFrom.containsKey(target)) {
            fail(target + " cannot be reached from CONNECTING");
        }
        List<ServerState> path = new ArrayList<>();
        for (ServerState at = target; at != ServerState.CONNECTING; at = cameFrom.get(at)) {
            path.add(0, at);
        }
        return path;
    }

    @Test
    void theTableIsTheOneWrittenHere() {
        for (ServerState from : ServerState.values()) {
            for (ServerState to : ServerState.values()) {
                assertEquals(LEGAL.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ServerState.class)
    void everyMoveTheTableAllowsWorks(ServerState from) {
        for (ServerState to : LEGAL.get(from)) {
            Slot slot = slotIn(from);
            slot.move(to);
            assertEquals(to, slot.state(), from + " -> " + to);
        }
    }

    @ParameterizedTest
    @EnumSource(ServerState.class)
    void everyOtherMoveThrowsAndChangesNothing(ServerState from) {
        for (ServerState to : ServerState.values()) {
            if (LEGAL.get(from).contains(to)) {
                continue;
            }
            Slot slot = slotIn(from);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> slot.move(to), from + " -> " + to);
            assertEquals("server: illegal transition " + from + " -> " + to, e.getMessage());
            assertEquals(from, slot.state());
        }
    }

    @Test
    void theErrorNamesTheConnection() {
        Slot slot = new Slot();
        new ServerConnection(42, new UpstreamTarget("127.0.0.1", 5432, "app", "app", null, Map.of()), slot, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> slot.move(ServerState.IDLE));
        assertEquals("server 42: illegal transition CONNECTING -> IDLE", e.getMessage());
    }

    @Test
    void aSlotBelongsToOneConnection() {
        Slot slot = new Slot();
        UpstreamTarget target = new UpstreamTarget("127.0.0.1", 5432, "app", "app", null, Map.of());
        new ServerConnection(1, target, slot, 1);
        assertThrows(IllegalStateException.class, () -> new ServerConnection(2, target, slot, 1));
        assertEquals(1, slot.connection().id());
    }

    @Test
    void everyStateIsReachedAndEveryLiveOneCanClose() {
        for (ServerState each : ServerState.values()) {
            pathTo(each);
            if (each != ServerState.CLOSED) {
                assertTrue(each.canMoveTo(ServerState.CLOSED), each + ": a socket can always drop");
            }
        }
    }

    @Test
    void nothingGoesBackToOpeningAndNothingLeavesClosingButToClosed() {
        for (ServerState each : ServerState.values()) {
            assertFalse(each.canMoveTo(ServerState.CONNECTING), each + " -> CONNECTING");
            if (each != ServerState.CONNECTING) {
                assertFalse(each.canMoveTo(ServerState.LOGIN), each + " -> LOGIN");
            }
            if (each.isLeaving()) {
                for (ServerState next : ServerState.values()) {
                    assertEquals(each == ServerState.CLOSING && next == ServerState.CLOSED, each.canMoveTo(next),
                            each + " -> " + next);
                }
            }
        }
    }

    @Test
    void onlyAnActiveServerMovesToItself() {
        // ACTIVE -> ACTIVE: from the pool's list of servers handed over to another event loop to that loop's list.
        for (ServerState each : ServerState.values()) {
            assertEquals(each == ServerState.ACTIVE, each.canMoveTo(each), each + " -> " + each);
        }
    }

    @Test
    void aServerReachesAClientOnlyLoggedInAndCleanOrFromItsOwnTransaction() {
        for (ServerState each : ServerState.values()) {
            boolean mayServe = each == ServerState.LOGIN || each == ServerState.IDLE || each == ServerState.ACTIVE
                    || each == ServerState.RESETTING || each == ServerState.CHECKING
                    || each == ServerState.BEING_CANCELED;
            assertEquals(mayServe, each.canMoveTo(ServerState.ACTIVE), each + " -> ACTIVE");
        }
        assertFalse(ServerState.IDLE.canMoveTo(ServerState.RESETTING), "an idle server is clean already");
        assertFalse(ServerState.IDLE.canMoveTo(ServerState.BEING_CANCELED), "an idle server runs nothing to cancel");
        assertFalse(ServerState.CHECKING.canMoveTo(ServerState.BEING_CANCELED));
    }

    @Test
    void openingAndLeavingStates() {
        assertEquals(EnumSet.of(ServerState.CONNECTING, ServerState.LOGIN), states(true));
        assertEquals(EnumSet.of(ServerState.CLOSING, ServerState.CLOSED), states(false));
    }

    private static Set<ServerState> states(boolean opening) {
        Set<ServerState> result = EnumSet.noneOf(ServerState.class);
        for (ServerState each : ServerState.values()) {
            if (opening ? each.isOpening() : each.isLeaving()) {
                result.add(each);
            }
        }
        return result;
    }
}
