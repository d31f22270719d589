package io.pgmux.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientStateTest {
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
