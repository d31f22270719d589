package io.pgmux.admin;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a console session is. {@link AdminSession} changes it in one place, and a move not listed here is a bug
 * that fails loudly.
 */
enum AdminSessionState {
    /** Between queries, or running one whose statements all answer at once. */
    READY,
    /** A statement (PAUSE, SUSPEND, WAIT_CLOSE) waits for pgmux; later messages queue until it is answered. */
    WAITING,
    /** Gone. */
    CLOSED;

    private Set<AdminSessionState> next;

    static {
        READY.next = EnumSet.of(WAITING, CLOSED);
        WAITING.next = EnumSet.of(READY, CLOSED);
        CLOSED.next = EnumSet.noneOf(AdminSessionState.class);
    }

    boolean canMoveTo(AdminSessionState target) {
        return next.contains(target);
    }
}
