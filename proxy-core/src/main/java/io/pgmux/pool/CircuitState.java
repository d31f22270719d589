package io.pgmux.pool;

import java.util.EnumSet;
import java.util.Set;

/**
 * Whether pgmux may open connections to an upstream. The {@link CircuitBreaker} changes it, in one place, and a
 * move not listed here is a bug that fails loudly.
 */
public enum CircuitState {
    /** The upstream answers: connections open as the budgets allow. */
    CLOSED,
    /** The upstream refused or did not answer: no new connections until the back-off has passed. */
    OPEN,
    /** The back-off has passed: one connection probes the upstream; the others wait for its outcome. */
    HALF_OPEN;

    private Set<CircuitState> next;

    static {
        CLOSED.next = EnumSet.of(OPEN);
        OPEN.next = EnumSet.of(HALF_OPEN, CLOSED);
        HALF_OPEN.next = EnumSet.of(OPEN, CLOSED);
    }

    boolean canMoveTo(CircuitState target) {
        return next.contains(target);
    }
}
