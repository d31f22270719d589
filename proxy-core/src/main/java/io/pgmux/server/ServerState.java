package io.pgmux.server;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a server connection is in its life. The pool changes it, in one place, and any move not listed here
 * is a bug that fails loudly.
 */
public enum ServerState {
    /** TCP connect in progress. */
    CONNECTING,
    /** Connected; StartupMessage sent, authentication and welcome in progress. */
    LOGIN,
    /** Logged in, clean, in its pool's idle list. */
    IDLE,
    /** Handed to a client (or being handed: it may still be moving to the client's event loop). */
    ACTIVE,
    /** Running the reset query (session mode) or a rollback before going back to the idle list. */
    RESETTING,
    /** Taken from the idle list after server_check_delay unused: running server_check_query before reuse. */
    CHECKING,
    /**
     * Done with its client, but a CancelRequest pgmux sent for it is not answered yet: it serves nobody until
     * then, or the cancel could hit the next client's query (PgBouncer's sv_being_canceled).
     */
    BEING_CANCELED,
    /** Gone; never reused. */
    CLOSED;

    private Set<ServerState> next;

    static {
        CONNECTING.next = EnumSet.of(LOGIN, CLOSED);
        LOGIN.next = EnumSet.of(IDLE, ACTIVE, CLOSED);
        IDLE.next = EnumSet.of(ACTIVE, CHECKING, CLOSED);
        ACTIVE.next = EnumSet.of(IDLE, ACTIVE, RESETTING, BEING_CANCELED, CLOSED);
        RESETTING.next = EnumSet.of(IDLE, ACTIVE, BEING_CANCELED, CLOSED);
        CHECKING.next = EnumSet.of(IDLE, ACTIVE, CLOSED);
        BEING_CANCELED.next = EnumSet.of(IDLE, ACTIVE, CLOSED);
        CLOSED.next = EnumSet.noneOf(ServerState.class);
    }

    public boolean canMoveTo(ServerState target) {
        return next.contains(target);
    }
}
