package io.pgmux.pool;

import io.pgmux.protocol.PgError;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerSlot;
import io.pgmux.server.ServerState;
import java.util.List;

/**
 * The pool's record of one server connection: the list it sits on (which is its state), the budgets it counts
 * against, and when it was opened and last went idle. Its events go to the pool's core.
 *
 * <p>{@link #moveTo} is the one place a server's state changes.
 */
final class PooledServer extends ServerSlot {
    final ServerPool pool;
    /** Exactly the budgets this connection was counted against when it was opened; given back when it has gone. */
    final List<Budget> budgets;
    /** The pool's configuration generation when it was opened: an older one means it is closed once idle. */
    final int generation;
    final long openedNanos;
    /** When it last went to the idle list; for server_check_delay and server_idle_timeout. */
    long idleSinceNanos;
    /** A pool whose waiting client this connection is closing for, to make room in a budget both draw on. */
    ServerPool closingFor;
    /**
     * CancelRequests sent for this connection's backend that PostgreSQL has not answered yet. Written under the
     * pool lock, on the connection's event loop (where its client asks for the cancel and hears the answer), so
     * the lock-free release path there may read it.
     */
    int cancelsInFlight;

    /** The list of its state; null only before it enters its first one. */
    ServerList list;
    PooledServer prev;
    PooledServer next;

    PooledServer(ServerPool pool, List<Budget> budgets, int generation, long openedNanos) {
        this.pool = pool;
        this.budgets = budgets;
        this.generation = generation;
        this.openedNanos = openedNanos;
        this.idleSinceNanos = openedNanos;
    }

    /** The pool's record of a connection it opened. */
    static PooledServer of(ServerConnection server) {
        return (PooledServer) server.slot();
    }

    ServerConnection server() {
        return connection();
    }

    /**
     * The one place a server's state changes: takes the connection off its list and puts it at the head of
     * {@code target}, in the state that list holds ({@link ServerList#GONE} for CLOSED: on no list any more). A
     * new connection enters its first list (connecting) this way too. The caller must be allowed to touch both
     * lists (hold the pool lock, or run on a per-loop list's loop).
     *
     * @throws IllegalStateException for a move {@link ServerState} does not allow; nothing has moved then
     */
    void moveTo(ServerList target) {
        assert target.guarded() : "moving " + this + " to " + target + " without guarding it";
        assert list == null || list.guarded() : "moving " + this + " off " + list + " without guarding it";
        if (list != null) {
            changeState(target.state());
            list.unlink(this);
        } else if (state() != target.state()) {
            throw new IllegalStateException(this + " is on no list and cannot move to " + target);
        }
        target.linkFirst(this);
        list = target;
    }

    /** Whether it still counts against its budgets: until it has gone. */
    boolean holdsBudget() {
        return state() != ServerState.CLOSED;
    }

    /** Opened under an older configuration (another target or other budgets): it serves nobody new. */
    boolean isOutdated() {
        return generation != pool.generation();
    }

    /** Outdated, or its pool has left the configuration: it must not stay idle. */
    boolean isStale() {
        PoolSetup setup = pool.setup();
        return generation != setup.generation() || setup.retired();
    }

    // ---- ServerEvents: on the connection's event loop ----------------------------------------------------------

    @Override
    public void connected(ServerConnection server) {
        pool.core().connections().serverConnected(this);
    }

    @Override
    public void loginSucceeded(ServerConnection server) {
        pool.core().connections().serverLoggedIn(this);
    }

    @Override
    public void loginFailed(ServerConnection server, PgError error, boolean retryable) {
        pool.core().connections().serverLoginFailed(this, error, retryable);
    }

    @Override
    public void closed(ServerConnection server, PgError reason) {
        pool.core().connections().serverClosed(this, reason);
    }

    @Override
    public String toString() {
        ServerConnection server = connection();
        return server == null ? "server of " + pool + " (" + state() + ")" : server.toString();
    }
}
