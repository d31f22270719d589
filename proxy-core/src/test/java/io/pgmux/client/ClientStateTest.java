package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientStateTest {
    @Test
    void theMovesAreTheOnesWrittenHere() {
        Map<ClientState, Set<ClientState>> legal = new EnumMap<>(ClientState.class);
        legal.put(ClientState.STARTUP, EnumSet.of(ClientState.AUTHENTICATING, ClientState.LOGIN_WAIT, ClientState.IDLE,
                ClientState.ADMIN, ClientState.CLOSED));
        legal.put(ClientState.AUTHENTICATING, EnumSet.of(ClientState.LOGIN_WAIT, ClientState.IDLE, ClientState.ADMIN,
                ClientState.CLOSED));
        legal.put(ClientState.LOGIN_WAIT, EnumSet.of(ClientState.ACTIVE, ClientState.CLOSED));
        legal.put(ClientState.IDLE, EnumSet.of(ClientState.WAITING, ClientState.ACTIVE, ClientState.CLOSED));
        legal.put(ClientState.WAITING, EnumSet.of(ClientState.ACTIVE, ClientState.IDLE, ClientState.CLOSED));
        legal.put(ClientState.ACTIVE, EnumSet.of(ClientState.IDLE, ClientState.CLOSED));
        legal.put(ClientState.ADMIN, EnumSet.of(ClientState.CLOSED));
        legal.put(ClientState.CLOSED, EnumSet.noneOf(ClientState.class));
        for (ClientState from : ClientState.values()) {
            for (ClientState to : ClientState.values()) {
                assertEquals(legal.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void aConsoleClientOnlyLeaves() {
        assertTrue(ClientState.AUTHENTICATING.canMoveTo(ClientState.ADMIN));
        assertTrue(ClientState.STARTUP.canMoveTo(ClientState.ADMIN), "trust: no password exchange");
        assertTrue(ClientState.ADMIN.canMoveTo(ClientState.CLOSED));
        for (ClientState each : ClientState.values()) {
            if (each != ClientState.CLOSED) {
                assertFalse(ClientState.ADMIN.canMoveTo(each), "ADMIN -> " + each);
            }
        }
    }

    @Test
    void pooledStatesNeverReachTheConsoleNorGoBackToLoggingIn() {
        for (ClientState pooled : new ClientState[] {ClientState.LOGIN_WAIT, ClientState.IDLE, ClientState.WAITING,
            ClientState.ACTIVE}) {
            assertFalse(pooled.canMoveTo(ClientState.ADMIN), pooled + " -> ADMIN");
            assertFalse(pooled.canMoveTo(ClientState.STARTUP), pooled + " -> STARTUP");
            assertFalse(pooled.canMoveTo(ClientState.AUTHENTICATING), pooled + " -> AUTHENTICATING");
            assertTrue(pooled.canMoveTo(ClientState.CLOSED));
        }
        for (ClientState each : ClientState.values()) {
            assertFalse(ClientState.CLOSED.canMoveTo(each), "CLOSED -> " + each);
        }
    }
}
