package io.pgmux.server;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a server connection is in its life. Each state is a list in the connection's pool: the pool moves a
 * connection from one list to another in one place ({@link ServerSlot#changeState}), and any move not listed
 * here is a bug that fails loudly.
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
    /**
     * Taken out of service (idle too long, too old, its configuration changed, or its budget is wanted elsewhere):
     * Terminate sent, waiting for the backend to close the socket. It still counts against its budgets, so the
     * database never sees more connections than the caps, even for a moment.
     */
    CLOSING,
    /** Gone; on no list, never reused. */
    CLOSED;

    private Set<ServerState> next;

    static {
        CONNECTING.next = EnumSet.of(LOGIN, CLOSED);
        LOGIN.next = EnumSet.of(IDLE, ACTIVE, CLOSING, CLOSED);
        IDLE.next = EnumSet.of(ACTIVE, CHECKING, CLOSING, CLOSED);
        // ACTIVE -> ACTIVE: from the list of servers moving to their client's event loop to that loop's list.
        ACTIVE.next = EnumSet.of(IDLE, ACTIVE, RESETTING, BEING_CANCELED, CLOSING, CLOSED);
        RESETTING.next = EnumSet.of(IDLE, ACTIVE, BEING_CANCELED, CLOSING, CLOSED);
        CHECKING.next = EnumSet.of(IDLE, ACTIVE, CLOSING, CLOSED);
        BEING_CANCELED.next = EnumSet.of(IDLE, ACTIVE, CLOSING, CLOSED);
        CLOSING.next = EnumSet.of(CLOSED);
        CLOSED.next = EnumSet.noneOf(ServerState.class);
    }

    public boolean canMoveTo(ServerState target) {
        return next.contains(target);
    }

    /** Connecting or logging in: not yet able to serve anyone. */
    public boolean isOpening() {
        return this == CONNECTING || this == LOGIN;
    }

    /** Closing or closed: never to serve anyone again. */
    public boolean isLeaving() {
        return this == CLOSING || this == CLOSED;
    }
}
