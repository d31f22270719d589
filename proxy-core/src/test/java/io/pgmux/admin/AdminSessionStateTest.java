package io.pgmux.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdminSessionStateTest {
    @Test
    void theMovesAreTheOnesWrittenHere() {
        Map<AdminSessionState, Set<AdminSessionState>> legal = new EnumMap<>(AdminSessionState.class);
        legal.put(AdminSessionState.READY, EnumSet.of(AdminSessionState.WAITING, AdminSessionState.CLOSED));
        legal.put(AdminSessionState.WAITING, EnumSet.of(AdminSessionState.READY, AdminSessionState.CLOSED));
        legal.put(AdminSessionState.CLOSED, EnumSet.noneOf(AdminSessionState.class));
        for (AdminSessionState from : AdminSessionState.values()) {
            for (AdminSessionState to : AdminSessionState.values()) {
                assertEquals(legal.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }
}
