/**
 * One budget for a fleet of pgmux instances that run the same file ({@code fleet:}): each instance keeps a control
 * connection per upstream server and holds a lease for each server connection it may open, as a session-level
 * advisory lock on that connection (the key of a budget from the fleet's name and the budget's name, the slot
 * number beside it). A budget's slots are its size; the database frees the locks of an instance the moment its
 * session ends, so the others can take them.
 *
 * <p>{@link io.pgmux.fleet.LeaseBook} is the arithmetic of one budget's leases; {@link io.pgmux.fleet.LeaseKeeper}
 * runs the rounds on a thread of its own (never an event loop); {@link io.pgmux.fleet.ControlConnection} speaks to
 * the upstream; the pools learn what the leases allow through {@link io.pgmux.pool.LeasedBudgets}.
 */
package io.pgmux.fleet;
