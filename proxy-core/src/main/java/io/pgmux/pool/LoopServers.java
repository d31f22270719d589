package io.pgmux.pool;

import io.netty.channel.EventLoop;
import io.pgmux.server.ServerState;

/**
 * A pool's servers on one event loop: the idle ones and those lent to clients of that loop. Only that loop touches
 * these lists, so handing an idle server to a client of the same loop, and taking it back, takes no lock (see
 * {@link PoolCore#acquire} and {@link PoolCore#release}). Other threads that need one of these servers (a waiting
 * client of another loop, a pool short of budget, the janitor) post {@link #tidy} to the loop.
 */
final class LoopServers {
    final ServerPool pool;
    final EventLoop loop;
    final ServerList idle;
    final ServerList active;
    /** A tidy task is on its way to the loop; guarded by the pool lock. */
    boolean tidyPosted;
    /** The task, made once: posting it allocates nothing. */
    final Runnable tidy;

    LoopServers(ServerPool pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
        this.idle = new ServerList(ServerState.IDLE, loop);
        this.active = new ServerList(ServerState.ACTIVE, loop);
        this.tidy = () -> pool.core().tidy(this);
    }

    @Override
    public String toString() {
        return pool + " on " + loop;
    }
}
