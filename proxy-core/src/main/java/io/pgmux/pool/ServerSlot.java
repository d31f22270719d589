package io.pgmux.pool;

/** The pool's bookkeeping for one server connection, kept as the connection's pool attachment. */
final class ServerSlot {
    final ServerPool pool;
    /** The connection still counts against its budgets. */
    boolean holdsBudget = true;
    /** The connection is still connecting or logging in. */
    boolean opening = true;
    /** A pool whose waiter this connection is being closed for; it may open one once this one is gone. */
    ServerPool closingFor;
    /** CancelRequests sent for this connection's backend that PostgreSQL has not answered yet. */
    int cancelsInFlight;

    ServerSlot(ServerPool pool) {
        this.pool = pool;
    }
}
