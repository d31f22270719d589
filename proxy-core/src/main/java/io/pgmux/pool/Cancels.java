package io.pgmux.pool;

import io.pgmux.protocol.backend.BackendKeyData;
import io.pgmux.server.CancelOutcome;
import io.pgmux.server.ServerConnection;
import io.pgmux.server.ServerState;

/**
 * Cancel requests pgmux sends for a server's backend, and the hold they put on the server: PostgreSQL signals the
 * backend some time after it reads the request, so a server given to another client meanwhile could have that
 * client's query cancelled instead. A server done with its client while a cancel is unanswered waits on its
 * pool's being-canceled list (PgBouncer's sv_being_canceled) until PostgreSQL has closed the cancel connection;
 * one never answered within server_connect_timeout is closed.
 */
final class Cancels {
    private final PoolLock lock;
    private final Dialer dialer;
    private final PoolCore core;

    Cancels(PoolLock lock, Dialer dialer, PoolCore core) {
        this.lock = lock;
        this.dialer = dialer;
        this.core = core;
    }

    /** Sends PostgreSQL a CancelRequest for what {@code server} runs now; on the server's (its client's) loop. */
    void cancel(ServerConnection server) {
        BackendKeyData key = server.backendKey();
        if (key == null) {
            return;
        }
        PooledServer slot = PooledServer.of(server);
        Work work = lock.enter();
        try {
            if (slot.state().isLeaving()) {
                return;
            }
            slot.cancelsInFlight++;
        } finally {
            lock.exit(work);
        }
        dialer.cancel(server.eventLoop(), server.target(), key, outcome -> answered(slot, outcome));
    }

    /** On the server's loop: a cancel connection closed, answered or not. */
    private void answered(PooledServer slot, CancelOutcome outcome) {
        Work work = lock.enter();
        try {
            slot.cancelsInFlight--;
            ServerState state = slot.state();
            if (outcome == CancelOutcome.UNANSWERED) {
                // The signal may still reach the backend, whoever it serves by then: it serves nobody more.
                work.warn("{}: PostgreSQL did not answer a cancel request within server_connect_timeout; closing"
                        + " the server", slot, null);
                if (state == ServerState.BEING_CANCELED) {
                    core.connections().retire(slot, null, work);
                } else if (!state.isLeaving()) {
                    work.close(slot.server());
                }
            } else if (slot.cancelsInFlight == 0 && state == ServerState.BEING_CANCELED) {
                if (slot.server().isUsable()) {
                    core.placeReleased(slot, work);
                } else {
                    core.connections().retire(slot, null, work);
                }
            }
        } finally {
            lock.exit(work);
        }
    }

    /**
     * Holds a server done with its client while a cancel sent for it is unanswered; under the lock, on its loop.
     *
     * @return whether it is held (then it is on the being-canceled list)
     */
    static boolean hold(PooledServer slot) {
        if (slot.cancelsInFlight == 0) {
            return false;
        }
        slot.moveTo(slot.pool.beingCanceled);
        return true;
    }
}
