package io.pgmux.client;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a client connection is in its life. {@link ClientConnection#transition} is the one place that changes
 * it, and a move not listed here is a bug that fails loudly. STARTUP and AUTHENTICATING are the
 * {@link LoginFlow}'s; LOGIN_WAIT to ACTIVE a {@link PooledSession}'s; ADMIN the console's.
 */
public enum ClientState {
    /** Connected; waiting for a CancelRequest or StartupMessage (after any encryption request). */
    STARTUP,
    /** StartupMessage accepted; the password exchange is under way. */
    AUTHENTICATING,
    /**
     * Authenticated; waiting for a server of its pool, to learn the parameters to greet it with or to try startup
     * settings its database has not taken before, then, where the client's settings differ from that server's, for
     * the server to take them (a rejected one fails the login).
     */
    LOGIN_WAIT,
    /** Logged in with no server: between transactions in transaction mode. */
    IDLE,
    /** Sent a request and waits in its pool's queue for a server; cancelling the request may leave it IDLE. */
    WAITING,
    /** Linked to a server; messages flow both ways. */
    ACTIVE,
    /** Logged in to the admin console (database pgmux); the console session serves it, no pool is involved. */
    ADMIN,
    /** Gone. */
    CLOSED;

    private Set<ClientState> next;

    /** Connected and not logged in yet: SHOW LISTS' login_clients counts these. */
    public boolean isLoggingIn() {
        return this == STARTUP || this == AUTHENTICATING || this == LOGIN_WAIT;
    }

    static {
        STARTUP.next = EnumSet.of(AUTHENTICATING, LOGIN_WAIT, IDLE, ADMIN, CLOSED);
        AUTHENTICATING.next = EnumSet.of(LOGIN_WAIT, IDLE, ADMIN, CLOSED);
        ADMIN.next = EnumSet.of(CLOSED);
        LOGIN_WAIT.next = EnumSet.of(ACTIVE, CLOSED);
        IDLE.next = EnumSet.of(WAITING, ACTIVE, CLOSED);
        WAITING.next = EnumSet.of(ACTIVE, IDLE, CLOSED);
        ACTIVE.next = EnumSet.of(IDLE, CLOSED);
        CLOSED.next = EnumSet.noneOf(ClientState.class);
    }

    public boolean canMoveTo(ClientState target) {
        return next.contains(target);
    }
}
